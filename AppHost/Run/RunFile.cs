using System.Text.Json;

namespace Veltrix.AppHost.Run;

/// <summary>
/// `<log-dir>/run.json`: the processes of the run, rewritten whenever one is (re)started — what tests and scripts read
/// to find them. Written to a temporary file and moved, so a reader never sees half a file.
/// </summary>
public sealed class RunFile(string logDir)
{
    private readonly Lock _gate = new();

    public string Path { get; } = System.IO.Path.Combine(logDir, "run.json");

    public void Write(IEnumerable<(PlannedApp App, int? Pid, int? SidecarPid)> apps, int? devSidecarPid)
    {
        lock (_gate)
        {
            var temp = Path + ".tmp";
            using (var stream = PrivateFiles.OpenWrite(temp, append: false))
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteStartArray("apps");
                foreach (var (app, pid, sidecarPid) in apps)
                {
                    json.WriteStartObject();
                    json.WriteString("appId", app.AppId);
                    WriteNumber(json, "pid", pid);
                    json.WriteNumber("appPort", app.AppPort);
                    json.WriteNumber("daprHttpPort", app.DaprHttpPort);
                    json.WriteNumber("daprGrpcPort", app.DaprGrpcPort);
                    json.WriteString("url", app.Url);
                    WriteNumber(json, "sidecarPid", sidecarPid);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                WriteNumber(json, "sidecarPid", devSidecarPid);
                json.WriteEndObject();
            }
            File.Move(temp, Path, overwrite: true);
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } number) json.WriteNumber(name, number);
        else json.WriteNull(name);
    }
}
