using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Veltrix.Testing;

/// <summary>One app of a run, as AppHost reports it in run.json.</summary>
public sealed record RunningApp(string AppId, int Pid, int AppPort, int DaprHttpPort, int DaprGrpcPort, Uri Url);

/// <summary>
/// The whole treasure hunt of the repository's dapr.yaml as AppHost runs it — on a throw-away copy of a resources
/// folder (its own SQLite file or PostgreSQL tables) and shifted ports, so it can run beside a developer's own run.
/// AppHost itself is hosted by an <see cref="IRunHost"/>: inside the test process through Aspire's testing builder
/// (the end-to-end tests) or as its own process (the benchmark); the processes it starts are the same either way.
/// </summary>
public sealed class RunningSystem : IAsyncDisposable
{
    private readonly ResourcesFolder _resources;
    private readonly IAsyncDisposable _storage;
    private readonly string _logDir;
    private IRunHost? _host;

    private RunningSystem(ResourcesFolder resources, IAsyncDisposable storage)
    {
        _resources = resources;
        _storage = storage;
        _logDir = Path.Combine(resources.Path, "logs");
    }

    /// <summary>
    /// How long a start may take: AppHost's default 90 s is not enough for seven .NET processes on a two-core machine
    /// that other test runs share (runs failed with VX4005 while every app was still starting).
    /// </summary>
    public static TimeSpan StartTimeout { get; } = TimeSpan.FromSeconds(240);

    /// <summary>What AppHost printed: its host's capture, or (before it runs) the `apphost.log` AppHost writes in the log folder.</summary>
    public string Output => _host?.Output ?? AppHostLog();

    /// <summary>Where AppHost is hosted (a test that needs the testing builder's application casts it).</summary>
    public IRunHost Host => _host ?? throw new InvalidOperationException("AppHost has not started");

    /// <summary>The run's log folder: each resource's log, resources.log, apphost.log and run.json.</summary>
    public string LogDir => _logDir;

    /// <summary>The operator token this run's apps accept (VELTRIX_OPERATOR_TOKEN, passed through AppHost).</summary>
    public string OperatorToken { get; } = "operator-" + Guid.NewGuid().ToString("N");

    /// <summary>The token the run's sidecar requires (DAPR_API_TOKEN, passed to AppHost): lets a test call the sidecar's APIs.</summary>
    public string DaprApiToken { get; } = "dapr-" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// Starts the system of the repository's dapr.yaml from an existing build and waits until every app and its sidecar
    /// are ready. <paramref name="configuration"/> Debug runs dapr.yaml as a developer does; another (Release, the
    /// benchmark) runs the same file with `-c Release` added to every app's command. The components are a private copy
    /// of <paramref name="components"/> (default: the embedded default); <paramref name="environment"/> adds settings
    /// AppHost hands on to every process it starts.
    /// </summary>
    public static async Task<RunningSystem> StartAsync(RunHostStarter starter, SystemComponents? components = null, string configuration = "Debug",
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var resources = new ResourcesFolder();
            var system = new RunningSystem(resources, await (components ?? SystemComponents.Embedded).CopyIntoAsync(resources));
            try
            {
                // Offsets keep every port (3501–5106 in dapr.yaml) below Linux's ephemeral range (32768+), where outgoing
                // connections could take them first.
                system._host = await starter(system.Launch(Random.Shared.Next(100, 270) * 100, configuration, environment));
                await system.WaitUntilReadyAsync();
                return system;
            }
            catch (Exception) when (attempt < 3 && system.Output.Contains("VX4004", StringComparison.Ordinal))
            {
                await system.DisposeAsync(); // a port of that offset was taken: pick another
            }
            // A start that failed before AppHost was hosted (the starter threw: Aspire's "The entry point exited without
            // building a DistributedApplication" when AppHost printed an error and returned) says why only in the
            // apphost.log of a run folder the dispose deletes: keep it in the exception. The readiness wait's own
            // timeouts and failures carry the output already.
            catch (Exception e) when (system._host is null || e is not TimeoutException and not InvalidOperationException)
            {
                var output = system.Output;
                await system.DisposeAsync();
                throw new InvalidOperationException($"AppHost did not start ({e.GetType().Name}: {e.Message}); it printed:\n{output}", e);
            }
            catch
            {
                await system.DisposeAsync();
                throw;
            }
        }
    }

    private RunLaunch Launch(int portOffset, string configuration, IReadOnlyDictionary<string, string?>? environment)
    {
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["VELTRIX_OPERATOR_TOKEN"] = OperatorToken,
            ["DAPR_API_TOKEN"] = DaprApiToken,
            ["APP_API_TOKEN"] = null, // AppHost makes a fresh one
        };
        return new RunLaunch(
        [
            "--no-build", "--port-offset", portOffset.ToString(CultureInfo.InvariantCulture), "--resources-path", _resources.Path, "--log-dir", _logDir,
            "--file", RunFile(configuration), "--health-timeout", StartTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ], variables, _logDir);
    }

    /// <summary>The repository's dapr.yaml, or for another configuration a copy whose apps run that build.</summary>
    private string RunFile(string configuration)
    {
        var original = Path.Combine(RepositoryLayout.Root, "dapr.yaml");
        if (configuration == "Debug") return original;
        var yaml = File.ReadAllText(original)
            .Replace("appDirPath: ./", $"appDirPath: {RepositoryLayout.Root}/", StringComparison.Ordinal)
            .Replace("\"run\", \"--no-build\"", $"\"run\", \"-c\", \"{configuration}\", \"--no-build\"", StringComparison.Ordinal);
        var folder = Directory.CreateDirectory(Path.Combine(_resources.Path, "run")).FullName; // not beside the components: the sidecar reads every YAML there
        var file = Path.Combine(folder, "dapr.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    private string AppHostLog()
    {
        var file = Path.Combine(_logDir, "apphost.log");
        try
        {
            return File.Exists(file) ? File.ReadAllText(file) : "(AppHost wrote no apphost.log)";
        }
        catch (IOException e)
        {
            return $"(apphost.log unreadable: {e.Message})";
        }
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
            if (Host.HasExited) return true;
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
        if (Host.HasExited) throw new InvalidOperationException($"AppHost stopped during the start:\n{Output}");
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
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds}s waiting for: {what}\nwhat the orchestrator reported:\n{ResourcesLog()}\n" +
            $"AppHost's last lines:\n{string.Join('\n', Output.Split('\n').TakeLast(80))}");
    }

    /// <summary>The last lines of resources.log: every state, health and pid change the orchestrator reported, and each restart decision.</summary>
    public string ResourcesLog(int lines = 60)
    {
        var states = Path.Combine(_logDir, "resources.log");
        return File.Exists(states) ? string.Join('\n', File.ReadLines(states).TakeLast(lines)) : "(no resources.log)";
    }

    /// <summary>kill -9 of the dev sidecar serving every app (AppHost is expected to restart it).</summary>
    public int KillSidecar()
    {
        var pid = SidecarPid ?? throw new InvalidOperationException("this run has no dev sidecar");
        using var victim = Process.GetProcessById(pid);
        victim.Kill(entireProcessTree: true);
        return pid;
    }

    /// <summary>
    /// Stops AppHost (which stops what it started), then makes sure of it: a process of the run still alive 30 s later
    /// is killed, so one run never leaves a port or a core taken from the next.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var pids = RunPids();
        if (_host is not null) await _host.DisposeAsync();
        if (!await Eventually.TryAsync(() => Task.FromResult(pids.All(p => !IsAlive(p))), TimeSpan.FromSeconds(30)))
            foreach (var pid in pids.Where(IsAlive))
                try
                {
                    using var left = Process.GetProcessById(pid);
                    left.Kill(entireProcessTree: true);
                }
                catch (ArgumentException)
                {
                    // gone meanwhile
                }
        await _storage.DisposeAsync();
        _resources.Dispose();
    }

    private List<int> RunPids()
    {
        try
        {
            return [.. Apps().Values.Select(a => a.Pid).Append(SidecarPid ?? 0).Where(p => p != 0)];
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return []; // no run.json: nothing was started
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
