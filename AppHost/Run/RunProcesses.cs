using System.Collections.Concurrent;
using Veltrix.AppHost.Console;
using Veltrix.AppHost.Processes;

namespace Veltrix.AppHost.Run;

/// <summary>
/// The processes of one run — sidecar(s) and apps — with their logs and run.json. Apps are stopped before the
/// sidecars, so that apps can still finish their last calls to Dapr; disposing stops whatever is still running.
/// </summary>
public sealed class RunProcesses : IAsyncDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private readonly RunPlan _plan;
    private readonly RunTokens _tokens;
    private readonly string? _daprd;
    private readonly RunFile _runFile;
    private readonly int _width;
    private readonly CancellationTokenSource _stopApps = new();
    private readonly CancellationTokenSource _stopSidecars = new();
    private readonly List<Task> _appTasks = [];
    private readonly List<Task> _sidecarTasks = [];
    private readonly List<LogStream> _logs = [];
    private readonly ConcurrentDictionary<string, SupervisedProcess> _sidecarOf = [];

    public RunProcesses(RunPlan plan, RunTokens tokens, string? daprd)
    {
        _plan = plan;
        _tokens = tokens;
        _daprd = daprd;
        Directory.CreateDirectory(plan.LogDir);
        _runFile = new RunFile(plan.LogDir);
        _width = plan.Apps.Select(a => daprd is null ? a.AppId.Length : a.AppId.Length + 6).Append("sidecar".Length).Max();
    }

    public List<SupervisedProcess> Sidecars { get; } = [];
    public ConcurrentDictionary<PlannedApp, SupervisedProcess> Apps { get; } = [];
    public SupervisedProcess? DevSidecar { get; private set; }

    public SupervisedProcess SidecarOf(PlannedApp app) => _sidecarOf[app.AppId];

    /// <summary>Starts the sidecar(s) with restarts off and console output held back (start-up diagnostics are shown verbatim).</summary>
    public async Task StartSidecarsAsync()
    {
        if (_daprd is null)
        {
            var devSidecar = Supervise("sidecar", () => SidecarLaunch.DevSidecar(_plan, _tokens), "sidecar.log", colour: 9, sidecar: true);
            DevSidecar = devSidecar;
            foreach (var app in _plan.Apps) _sidecarOf[app.AppId] = devSidecar;
        }
        else
        {
            var index = 0;
            foreach (var app in _plan.Apps)
            {
                // Several daprd side by side each need their own metrics port; nobody reads it here.
                var metricsPort = PortCheck.AnyFreePort();
                var daprd = _daprd;
                _sidecarOf[app.AppId] = Supervise($"{app.AppId}-daprd", () => SidecarLaunch.Daprd(daprd, _plan, app, metricsPort, _tokens),
                    $"{app.AppId}-daprd.log", colour: index++, sidecar: true);
            }
        }
        await Task.WhenAll(Sidecars.Select(s => s.Started));
    }

    public async Task StartAppsAsync()
    {
        var index = 0;
        foreach (var app in _plan.Apps)
            Apps[app] = Supervise(app.AppId, () => AppLaunch.StartInfo(app, _tokens), $"{app.AppId}.log", colour: index++, sidecar: false);
        await Task.WhenAll(Apps.Values.Select(a => a.Started));
        WriteRunFile();
    }

    public void WriteRunFile() =>
        _runFile.Write(_plan.Apps.Select(a => (a, Apps.TryGetValue(a, out var p) ? p.Pid : null, _sidecarOf.TryGetValue(a.AppId, out var s) ? s.Pid : null)),
            DevSidecar?.Pid);

    private SupervisedProcess Supervise(string name, Func<System.Diagnostics.ProcessStartInfo> start, string logFile, int colour, bool sidecar)
    {
        var log = new LogStream(name, colour, _width, Path.Combine(_plan.LogDir, logFile));
        _logs.Add(log);
        var process = new SupervisedProcess(name, start, log, Grace);
        if (sidecar)
        {
            process.Restart = false;
            log.Hold();
            Sidecars.Add(process);
        }
        process.ProcessStarted += _ =>
        {
            if (!Apps.IsEmpty) WriteRunFile();
        };
        var stop = sidecar ? _stopSidecars.Token : _stopApps.Token;
        (sidecar ? _sidecarTasks : _appTasks).Add(Task.Run(() => process.RunAsync(stop)));
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopApps.CancelAsync();
        await Task.WhenAll(_appTasks);
        await _stopSidecars.CancelAsync();
        await Task.WhenAll(_sidecarTasks);
        foreach (var log in _logs) log.Dispose();
        _stopApps.Dispose();
        _stopSidecars.Dispose();
    }
}
