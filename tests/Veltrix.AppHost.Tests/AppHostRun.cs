using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.AppHost.Tests;

/// <summary>
/// AppHost started as a real process (`dotnet AppHost.dll --no-build …`) from the repository root, on a temporary
/// dapr.yaml, resources folder and log folder. Disposing sends SIGTERM (as Ctrl+C would) and, as a safety net, kills
/// any process run.json still names.
/// </summary>
public sealed class AppHostRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HashSet<int> _seenPids = [];

    private AppHostRun(Process process, string folder, string logDir, ResourcesFolder resources)
    {
        _process = process;
        Folder = folder;
        LogDir = logDir;
        Resources = resources;
    }

    public string Folder { get; }
    public string LogDir { get; }
    public ResourcesFolder Resources { get; }
    public string Output => string.Join('\n', _output);
    public bool HasExited => _process.HasExited;
    public int Pid => _process.Id;
    public string RunJsonPath => Path.Combine(LogDir, "run.json");

    public static string AppHostAssembly =>
        Path.Combine(RepositoryLayout.Root, "AppHost", "bin", RepositoryLayout.Configuration, "net10.0", "AppHost.dll");

    public static string FakeAppAssembly =>
        Path.Combine(RepositoryLayout.Root, "tests", "Veltrix.AppHost.Tests", "FakeApp", "bin", RepositoryLayout.Configuration, "net10.0", "FakeApp.dll");

    /// <summary>An `apps:` entry running the fake app in the run's folder.</summary>
    public static string FakeApp(string appId, int appPort, int daprHttpPort, IReadOnlyDictionary<string, string>? env = null)
    {
        var yaml = $"""
              - appID: {appId}
                appDirPath: .
                appPort: {appPort}
                daprHTTPPort: {daprHttpPort}
                command: ["dotnet", "{FakeAppAssembly}", "--urls", "http://127.0.0.1:{appPort}"]

            """;
        if (env is { Count: > 0 })
            yaml += "    env:\n" + string.Concat(env.Select(e => $"      {e.Key}: \"{e.Value}\"\n"));
        return yaml;
    }

    /// <summary>A whole run file: version, common (resources folder, env) and the given app entries.</summary>
    public static string RunFile(string commonEnv, params string[] apps) =>
        "version: 1\ncommon:\n  resourcesPath: ./resources\n" + commonEnv + "apps:\n" + string.Concat(apps);

    public static AppHostRun Start(string runFileYaml, IEnumerable<string>? arguments = null, string[]? components = null,
        IDictionary<string, string>? environment = null)
    {
        var folder = Directory.CreateTempSubdirectory("veltrix-apphost-").FullName;
        File.WriteAllText(Path.Combine(folder, "dapr.yaml"), runFileYaml.ReplaceLineEndings("\n"));
        var resources = new ResourcesFolder(components ?? [Yaml.InMemoryPubSub()]);
        Directory.CreateSymbolicLink(Path.Combine(folder, "resources"), resources.Path);
        var logDir = Path.Combine(folder, "logs");

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryLayout.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[AppHostAssembly, "--file", Path.Combine(folder, "dapr.yaml"), "--no-build", "--log-dir", logDir])
            info.ArgumentList.Add(arg);
        foreach (var arg in arguments ?? []) info.ArgumentList.Add(arg);
        info.Environment.Remove("VELTRIX_OPERATOR_TOKEN");
        info.Environment.Remove("DAPR_API_TOKEN");
        info.Environment.Remove("APP_API_TOKEN");
        // Each run its own dashboard ports: tests run in parallel, and the default (18888 + offset) would collide.
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Invariant(FreePort.Next())}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{Invariant(FreePort.Next())}";
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;

        var process = new Process { StartInfo = info };
        var run = new AppHostRun(process, folder, logDir, resources);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) run._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) run._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits until the summary table is printed (everything healthy), or fails with the output.</summary>
    public async Task WaitUntilHealthyAsync()
    {
        await Eventually.UntilAsync(() => HasExited || Output.Contains("Press Ctrl+C to stop everything.", StringComparison.Ordinal), "AppHost to print the table",
            TimeSpan.FromSeconds(90));
        if (HasExited) throw new InvalidOperationException($"AppHost exited with {_process.ExitCode}:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"AppHost did not exit:\n{Output}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Terminate() => Signal.Terminate(_process.Id);

    /// <summary>run.json as AppHost last wrote it.</summary>
    public RunJson Read()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RunJsonPath));
        var root = document.RootElement;
        var apps = root.GetProperty("apps").EnumerateArray().Select(a => new RunningApp(
            a.GetProperty("appId").GetString()!, a.GetProperty("pid") is { ValueKind: JsonValueKind.Number } p ? p.GetInt32() : 0, a.GetProperty("appPort").GetInt32(),
            a.GetProperty("daprHttpPort").GetInt32(), a.GetProperty("daprGrpcPort").GetInt32(), new Uri(a.GetProperty("url").GetString()!))).ToList();
        var sidecar = root.GetProperty("sidecarPid") is { ValueKind: JsonValueKind.Number } pid ? pid.GetInt32() : (int?)null;
        var result = new RunJson(apps, sidecar);
        lock (_seenPids)
        {
            foreach (var p in result.Pids) _seenPids.Add(p);
        }
        return result;
    }

    public bool TryRead(out RunJson? run)
    {
        try
        {
            run = File.Exists(RunJsonPath) ? Read() : null;
            return run is not null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            run = null;
            return false;
        }
    }

    public string Log(string name) => File.ReadAllText(Path.Combine(LogDir, name + ".log"));

    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')')..].Split(' ')[1] != "Z";
        }
        catch (IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Terminate();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        TryRead(out _);
        lock (_seenPids)
        {
            foreach (var pid in _seenPids.Where(IsAlive))
            {
                try
                {
                    using var leftover = Process.GetProcessById(pid);
                    leftover.Kill(entireProcessTree: true);
                }
                catch (ArgumentException)
                {
                    // gone meanwhile
                }
            }
        }
        _process.Dispose();
        Resources.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // a log still being written; the temp folder is cleaned by the OS
        }
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>run.json: the apps and the dev sidecar's pid.</summary>
public sealed record RunJson(IReadOnlyList<RunningApp> Apps, int? SidecarPid)
{
    public IEnumerable<int> Pids => Apps.Select(a => a.Pid).Where(p => p != 0).Concat(SidecarPid is { } s ? [s] : []);

    public RunningApp this[string appId] => Apps.Single(a => a.AppId == appId);
}
