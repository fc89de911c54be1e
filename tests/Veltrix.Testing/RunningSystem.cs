using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.Testing;

/// <summary>One app of a run, as AppHost reports it in run.json.</summary>
public sealed record RunningApp(string AppId, int Pid, int AppPort, int DaprHttpPort, int DaprGrpcPort, Uri Url);

/// <summary>
/// The whole treasure hunt started exactly as a user starts it — `AppHost` — on a throw-away copy of the embedded
/// default components (its own SQLite file) and shifted ports, so it can run beside a developer's own run.
/// </summary>
public sealed class RunningSystem : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ResourcesFolder _resources;
    private readonly IAsyncDisposable _storage;
    private readonly string _logDir;

    private RunningSystem(Process process, ResourcesFolder resources, IAsyncDisposable storage, string logDir)
    {
        _process = process;
        _resources = resources;
        _storage = storage;
        _logDir = logDir;
    }

    /// <summary>
    /// How long a start may take: AppHost's default 90 s is not enough for seven .NET processes on a two-core machine
    /// that other test runs share (runs failed with VX4005 while every app was still starting).
    /// </summary>
    public static TimeSpan StartTimeout { get; } = TimeSpan.FromSeconds(240);

    public string Output => string.Join('\n', _output);

    /// <summary>The operator token this run's apps accept (VELTRIX_OPERATOR_TOKEN, passed through AppHost).</summary>
    public string OperatorToken { get; } = "operator-" + Guid.NewGuid().ToString("N");

    /// <summary>The token the run's sidecar requires (DAPR_API_TOKEN, passed to AppHost): lets a test call the sidecar's APIs.</summary>
    public string DaprApiToken { get; } = "dapr-" + Guid.NewGuid().ToString("N");

    /// <summary>AppHost of a build configuration (Debug: as `dotnet run --project AppHost` runs it).</summary>
    public static string AppHostAssembly(string configuration) =>
        Path.Combine(RepositoryLayout.Root, "AppHost", "bin", configuration, "net10.0", "AppHost.dll");

    /// <summary>
    /// Starts the system of the repository's dapr.yaml from an existing build: Debug, as a developer runs it, or
    /// Release (the benchmark), where the same run file is used with `-c Release` added to every app's command.
    /// The components are a private copy of <paramref name="components"/> (default: the embedded default).
    /// </summary>
    public static async Task<RunningSystem> StartAsync(string configuration = "Debug", SystemComponents? components = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            // Offsets keep every port (3501–5104 in dapr.yaml) below Linux's ephemeral range (32768+), where outgoing
            // connections could take them first.
            var system = await StartAsync(Random.Shared.Next(100, 270) * 100, configuration, components ?? SystemComponents.Embedded);
            try
            {
                await system.WaitUntilReadyAsync();
                return system;
            }
            catch (InvalidOperationException) when (attempt < 3 && system.Output.Contains("VX4004", StringComparison.Ordinal))
            {
                await system.DisposeAsync(); // a port of that offset was taken: pick another
            }
            catch
            {
                await system.DisposeAsync();
                throw;
            }
        }
    }

    private static async Task<RunningSystem> StartAsync(int portOffset, string configuration, SystemComponents components)
    {
        var resources = new ResourcesFolder();
        var storage = await components.CopyIntoAsync(resources);
        var logDir = Path.Combine(resources.Path, "logs");

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryLayout.Root,
        };
        foreach (var argument in (string[])[AppHostAssembly(configuration), "--no-build", "--port-offset", portOffset.ToString(CultureInfo.InvariantCulture),
                     "--resources-path", resources.Path, "--log-dir", logDir, "--file", RunFile(resources, configuration),
                     "--health-timeout", StartTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)])
            info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        var system = new RunningSystem(process, resources, storage, logDir);
        info.Environment["VELTRIX_OPERATOR_TOKEN"] = system.OperatorToken;
        info.Environment["DAPR_API_TOKEN"] = system.DaprApiToken;
        info.Environment.Remove("APP_API_TOKEN");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) system._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) system._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return system;
    }

    /// <summary>The repository's dapr.yaml, or for another configuration a copy whose apps run that build.</summary>
    private static string RunFile(ResourcesFolder resources, string configuration)
    {
        var original = Path.Combine(RepositoryLayout.Root, "dapr.yaml");
        if (configuration == "Debug") return original;
        var yaml = File.ReadAllText(original)
            .Replace("appDirPath: ./", $"appDirPath: {RepositoryLayout.Root}/", StringComparison.Ordinal)
            .Replace("\"run\", \"--no-build\"", $"\"run\", \"-c\", \"{configuration}\", \"--no-build\"", StringComparison.Ordinal);
        var folder = Directory.CreateDirectory(Path.Combine(resources.Path, "run")).FullName; // not beside the components: the sidecar reads every YAML there
        var file = Path.Combine(folder, "dapr.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    /// <summary>The apps as AppHost last wrote them (pids change when it restarts one).</summary>
    public IReadOnlyDictionary<string, RunningApp> Apps()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(_logDir, "run.json")));
        return document.RootElement.GetProperty("apps").EnumerateArray().Select(a => new RunningApp(
                a.GetProperty("appId").GetString()!, a.TryGetProperty("pid", out var pid) && pid.ValueKind == JsonValueKind.Number ? pid.GetInt32() : 0, a.GetProperty("appPort").GetInt32(),
                a.GetProperty("daprHttpPort").GetInt32(), a.GetProperty("daprGrpcPort").GetInt32(), new Uri(a.GetProperty("url").GetString()!)))
            .ToDictionary(a => a.AppId);
    }

    /// <summary>The dev sidecar process serving every app of the run.</summary>
    public int? SidecarPid
    {
        get
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(_logDir, "run.json")));
            return document.RootElement.TryGetProperty("sidecarPid", out var pid) && pid.ValueKind == JsonValueKind.Number ? pid.GetInt32() : null;
        }
    }

    public Uri Url(string appId) => new($"http://127.0.0.1:{Apps()[appId].AppPort}");

    /// <summary>Every app answers /readyz and its sidecar /v1.0/healthz (subscriptions loaded).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var ready = await Eventually.TryAsync(async () =>
        {
            if (_process.HasExited) return true;
            if (!File.Exists(Path.Combine(_logDir, "run.json"))) return false;
            try
            {
                foreach (var app in Apps().Values)
                {
                    if (app.Pid == 0) return false; // not started yet
                    if ((await http.GetAsync($"http://127.0.0.1:{app.AppPort}/readyz")).StatusCode != HttpStatusCode.OK) return false;
                    if ((await http.GetAsync($"http://127.0.0.1:{app.DaprHttpPort}/v1.0/healthz")).StatusCode != HttpStatusCode.NoContent) return false;
                }
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException)
            {
                return false;
            }
        }, timeout ?? StartTimeout);
        if (_process.HasExited) throw new InvalidOperationException($"AppHost exited with {_process.ExitCode}:\n{Output}");
        if (!ready) throw new TimeoutException($"the system never became ready:\n{Output}");
    }

    /// <summary>kill -9 of one app's process (AppHost is expected to restart it).</summary>
    public int Kill(string appId)
    {
        var pid = Apps()[appId].Pid;
        using var victim = Process.GetProcessById(pid);
        victim.Kill(entireProcessTree: true);
        return pid;
    }

    /// <summary>
    /// kill -9 of one app's process, then waits until AppHost has started it again (a new pid in run.json). A timeout
    /// says what the orchestrator reported (resources.log) and what AppHost printed.
    /// </summary>
    public async Task KillAndAwaitRestartAsync(string appId, TimeSpan timeout)
    {
        var killed = Kill(appId);
        await AwaitRestartAsync(() => Apps()[appId].Pid is var pid && pid != 0 && pid != killed, $"AppHost to restart {appId}", timeout);
    }

    /// <summary>kill -9 of the dev sidecar, then waits until AppHost has started it again; a timeout says why, as above.</summary>
    public async Task KillSidecarAndAwaitRestartAsync(TimeSpan timeout)
    {
        var killed = KillSidecar();
        await AwaitRestartAsync(() => SidecarPid is { } pid && pid != killed, "AppHost to restart the sidecar", timeout);
    }

    private async Task AwaitRestartAsync(Func<bool> restarted, string what, TimeSpan timeout)
    {
        if (await Eventually.TryAsync(() => Task.FromResult(restarted()), timeout)) return;
        var states = Path.Combine(_logDir, "resources.log");
        var seen = File.Exists(states) ? string.Join('\n', File.ReadLines(states).TakeLast(60)) : "(no resources.log)";
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds}s waiting for: {what}\nwhat the orchestrator reported:\n{seen}\n" +
            $"AppHost's last lines:\n{string.Join('\n', _output.TakeLast(80))}");
    }

    /// <summary>kill -9 of the dev sidecar serving every app (AppHost is expected to restart it).</summary>
    public int KillSidecar()
    {
        var pid = SidecarPid ?? throw new InvalidOperationException("this run has no dev sidecar");
        using var victim = Process.GetProcessById(pid);
        victim.Kill(entireProcessTree: true);
        return pid;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Ctrl+C, as a user stops it; AppHost stops everything it started.
            Signal.Terminate(_process.Id);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
        await _storage.DisposeAsync();
        _resources.Dispose();
    }
}
