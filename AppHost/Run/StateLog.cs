using System.Globalization;

namespace Veltrix.AppHost.Run;

/// <summary>
/// `<log-dir>/resources.log`: every state, health and pid change the orchestrator reported for each resource, and each
/// restart decision, one time-stamped line each — what to read when a process did not come back.
/// </summary>
public sealed class StateLog(string path)
{
    private readonly Lock _gate = new();

    public string Path { get; } = path;

    public void Write(string line)
    {
        lock (_gate)
        {
            using var file = new StreamWriter(PrivateFiles.OpenWrite(Path, append: true));
            file.Write($"{DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {line}\n");
        }
    }
}
