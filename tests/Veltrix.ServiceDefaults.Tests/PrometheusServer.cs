using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>
/// Debian's <c>prometheus</c> as a process of the test, on a free loopback port with a throw-away data folder, read
/// through its HTTP API. scripts/test.sh installs the package; without it the test fails and says so.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _output = new();

    private PrometheusServer(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Http { get; }

    /// <summary>What prometheus printed (its own log), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static async Task<PrometheusServer> StartAsync(string configuration)
    {
        var executable = FindOnPath("prometheus")
            ?? throw new InvalidOperationException("prometheus is not installed: `apt-get install prometheus` (scripts/test.sh does it)");
        var folder = Directory.CreateTempSubdirectory("veltrix-prometheus-").FullName;
        var configFile = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, configuration);
        var port = FreePort.Next();
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[$"--config.file={configFile}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"])
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        var server = new PrometheusServer(process, folder, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.UntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"prometheus exited with {process.ExitCode}: {server.Output}");
            try
            {
                return (await server.Http.GetAsync("/-/ready")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "prometheus ready", TimeSpan.FromSeconds(30));
        return server;
    }

    /// <summary>The <c>data</c> of an API answer whose <c>status</c> is success.</summary>
    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        if (body.GetProperty("status").GetString() != "success") throw new InvalidOperationException($"prometheus answered {path} with {body}");
        return body.GetProperty("data");
    }

    /// <summary>The value of an instant query that returns one series; null while it returns none.</summary>
    public async Task<double?> QueryOneAsync(string promql)
    {
        var result = (await GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql))).GetProperty("result");
        return result.GetArrayLength() == 0
            ? null
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(Veltrix.Testing.Deadline.After(TimeSpan.FromSeconds(30)));
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still being closed: the temp folder is cleaned by the OS.
        }
    }
}
