using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Veltrix.AppHost.Console;
using Veltrix.AppHost.Processes;
using Veltrix.AppHost.Run;

namespace Veltrix.AppHost.Hosting;

/// <summary>
/// Watches the run's resources through Aspire's notifications and does what DCP does not: writes run.json whenever a
/// pid changes (tests and scripts find the processes there), prints the summary once every app and sidecar is healthy,
/// fails the start-up with VX4005 / VX4006, and restarts a process that exits on its own with CrashLoopBackOff delays
/// (DCP leaves an exited executable exited). A stop asked for from the dashboard is respected: no restart.
/// </summary>
internal sealed class RunMonitor(
    PreparedRun run,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLogs logs,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    DistributedApplicationOptions options) : BackgroundService
{
    private readonly Dictionary<string, Tracked> _resources = NamesOf(run).ToDictionary(n => n, n => new Tracked());
    private readonly RunFile _runFile = new(run.Plan.LogDir);
    private readonly StateLog _stateLog = new(Path.Combine(run.Plan.LogDir, "resources.log"));
    private readonly Lock _gate = new();
    private bool _failed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = FailAfterHealthTimeoutAsync(stoppingToken);
        try
        {
            await foreach (var change in notifications.WatchAsync(stoppingToken))
            {
                if (!_resources.TryGetValue(change.Resource.Name, out var tracked)) continue;
                logs.Follow(change.Resource.Name, change.ResourceId);
                lock (_gate) Observe(change.Resource.Name, change.ResourceId, change.Snapshot, tracked, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // AppHost is stopping
        }
    }

    private void Observe(string name, string resourceId, CustomResourceSnapshot snapshot, Tracked tracked, CancellationToken stoppingToken)
    {
        var state = snapshot.State?.Text;
        var pid = Pid(snapshot);
        var wasRunning = tracked.State == KnownResourceStates.Running;
        if (state == KnownResourceStates.Stopping) tracked.StopRequested = true;
        if (state == KnownResourceStates.Running && !wasRunning)
        {
            tracked.RunningSince = Stopwatch.StartNew();
            tracked.StopRequested = false;
        }
        var healthy = state == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy;
        if (state != tracked.State || healthy != tracked.Healthy || pid != tracked.SeenPid)
            _stateLog.Write($"{name} {state ?? "-"} {(healthy ? "healthy" : "unhealthy")} pid={pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} exit={snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} id={resourceId}");
        tracked.SeenPid = pid;
        tracked.State = state;
        tracked.Healthy = healthy;
        tracked.EverHealthy |= healthy;
        tracked.Health = snapshot.HealthReports.Where(r => r.Status != HealthStatus.Healthy).Select(r => r.Description ?? r.Name).ToList();
        var running = state == KnownResourceStates.Running ? pid : null;
        if (tracked.Pid != running)
        {
            tracked.Pid = running;
            WriteRunFile();
        }

        var ended = state is { } s && KnownResourceStates.TerminalStates.Contains(s);
        if (!ended || lifetime.ApplicationStopping.IsCancellationRequested || _failed) return;
        // A sidecar that exits before it was ever healthy failed on its components: the run cannot start. One that was
        // healthy once crashed and is restarted like an app — even while another resource is still starting (a test or
        // an operator may kill an app before the run as a whole is reported ready).
        if (IsSidecar(name) && !tracked.EverHealthy)
        {
            Fail(new AppHostError(AppHostErrorCodes.SidecarExited,
                $"{name} exited with code {snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} during start-up (its diagnostics are above)",
                $"fix what its messages name (usually a component in the resources folder), then start AppHost again; full log: {logs.LogFile(name)}",
                details: string.Join('\n', logs.Tail(name))));
            return;
        }
        if (state == KnownResourceStates.FailedToStart)
        {
            // The program is missing or its folder is: starting it again cannot help, so it stays down, said once.
            Terminal.Error(new AppHostError(AppHostErrorCodes.CommandNotStartable, $"{name} could not be started (DCP: {state})",
                $"read its log ({logs.LogFile(name)}) and the dashboard; fix `command` / `appDirPath` in dapr.yaml, then start AppHost again").Render());
            return;
        }
        if (tracked.StopRequested || tracked.RestartPending || !wasRunning)
        {
            _stateLog.Write($"{name} not restarted: stop requested {tracked.StopRequested}, restart pending {tracked.RestartPending}, was running {wasRunning}");
            return;
        }
        tracked.RestartPending = true;
        var delay = tracked.Backoff.Next(tracked.RunningSince?.Elapsed ?? TimeSpan.Zero);
        tracked.Restarts++;
        Terminal.Info($"{name} exited with code {snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}; restart #{tracked.Restarts} in {delay.TotalSeconds:0}s");
        _ = RestartAsync(name, resourceId, tracked, delay, stoppingToken);
    }

    private async Task RestartAsync(string name, string resourceId, Tracked tracked, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
            _stateLog.Write($"{name} start command sent to {resourceId}");
            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken);
            _stateLog.Write($"{name} start command answered: success {result.Success} {result.Message}");
            if (!result.Success)
                Terminal.Error(new AppHostError(AppHostErrorCodes.CommandNotStartable, $"{name} could not be started again: {result.Message}",
                    $"read its log ({logs.LogFile(name)}); fix its command or project, then restart it from the dashboard").Render());
        }
        catch (OperationCanceledException)
        {
            // AppHost is stopping
        }
        finally
        {
            lock (_gate) tracked.RestartPending = false;
        }
    }

    /// <summary>Start-up is over when every resource is running and healthy; the summary is printed then, once.</summary>
    private async Task FailAfterHealthTimeoutAsync(CancellationToken stoppingToken)
    {
        var deadline = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                await Task.Delay(200, stoppingToken);
                lock (_gate)
                {
                    if (_failed) return;
                    if (_resources.Values.All(r => r.Healthy))
                    {
                        // The dashboard's login token as Aspire generated it; none when the dashboard is off (testing builder).
                        var dashboardOn = !options.DisableDashboard;
                        SummaryTable.Print(run, _resources.ToDictionary(r => r.Key, r => r.Value.Pid),
                            dashboardOn ? configuration[AspireSetup.BrowserTokenKey] : null);
                        return;
                    }
                    if (deadline.Elapsed < run.Plan.HealthTimeout) continue;
                    var failing = _resources.Where(r => !r.Value.Healthy).ToList();
                    var problems = failing.Select(r => $"{r.Key}: {(r.Value.State ?? "not started")}{(r.Value.Health.Count > 0 ? " (" + string.Join("; ", r.Value.Health) + ")" : "")}");
                    var tails = failing.SelectMany(r => logs.Tail(r.Key).TakeLast(10).Select(l => $"{r.Key} | {l}")).ToList();
                    Fail(new AppHostError(AppHostErrorCodes.NotHealthy,
                        $"not healthy after {run.Plan.HealthTimeout.TotalSeconds:0}s: {string.Join("; ", problems)}",
                        $"read the logs ({run.Plan.LogDir}) or the dashboard; an app must answer GET /healthz with 200 and its sidecar " +
                        "GET /v1.0/healthz with 204 (that needs the app's /dapr/subscribe); raise --health-timeout if it is only slow",
                        details: tails.Count > 0 ? "last lines:\n" + string.Join('\n', tails) : null));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // AppHost is stopping
        }
    }

    private void Fail(AppHostError error)
    {
        _failed = true;
        Terminal.Error(error.Render());
        Environment.ExitCode = error.ExitCode;
        lifetime.StopApplication();
    }

    private void WriteRunFile()
    {
        var devSidecar = run.Daprd is null ? _resources["sidecar"].Pid : null;
        _runFile.Write(run.Plan.Apps.Select(a => (a, _resources[a.AppId].Pid, devSidecar ?? _resources.GetValueOrDefault(SidecarName(run, a.AppId))?.Pid)), devSidecar);
    }

    private static int? Pid(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value switch
        {
            int pid => pid,
            long pid => (int)pid,
            string text when int.TryParse(text, out var pid) => pid,
            _ => null,
        };

    private bool IsSidecar(string name) => run.Plan.Apps.All(a => a.AppId != name);

    private static string SidecarName(PreparedRun run, string appId) => run.Daprd is null ? "sidecar" : $"{appId}-daprd";

    private static IEnumerable<string> NamesOf(PreparedRun run) =>
        run.Plan.Apps.Select(a => a.AppId).Concat(run.Plan.Apps.Select(a => SidecarName(run, a.AppId))).Distinct();

    private sealed class Tracked
    {
        public string? State { get; set; }
        public bool Healthy { get; set; }
        public bool EverHealthy { get; set; }
        public IReadOnlyList<string> Health { get; set; } = [];
        public int? Pid { get; set; }
        public int? SeenPid { get; set; }
        public Stopwatch? RunningSince { get; set; }
        public bool StopRequested { get; set; }
        public bool RestartPending { get; set; }
        public int Restarts { get; set; }
        public Backoff Backoff { get; } = new();
    }
}
