using System.Diagnostics;
using Veltrix.AppHost.Build;
using Veltrix.AppHost.CommandLine;
using Veltrix.AppHost.Console;
using Veltrix.AppHost.Health;
using Veltrix.AppHost.Processes;
using Veltrix.Resources.RunTemplates;

namespace Veltrix.AppHost.Run;

/// <summary>
/// The whole local run, in the order that makes failures clear: read dapr.yaml, check ports, build, check build
/// outputs, start the sidecar(s) and wait for their components, start the apps, wait for health, print the table,
/// then supervise until Ctrl+C / SIGTERM. Whatever happens, everything started is stopped before returning.
/// </summary>
public static class LocalRun
{
    public static async Task<int> RunAsync(AppHostOptions options, CancellationToken shutdown)
    {
        var template = RunTemplateReader.Read(options.RunFile);
        foreach (var warning in template.Warnings) Terminal.Info(warning.ToString());
        var root = RepositoryRoot.Find(options.RunFile);
        var plan = RunPlan.Create(options, template, root);
        var daprd = plan.UseDaprd ? Daprd.Find() : null;
        PortCheck.EnsureFree(plan);

        if (!options.NoBuild)
        {
            Terminal.Info("building Veltrix.sln …");
            try
            {
                await SolutionBuild.RunAsync(root, BuildOutputs.ConfigurationsToBuild(template), shutdown);
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
        }
        BuildOutputs.Check(root, template, plan.UseDaprd, options.NoBuild);
        PortCheck.EnsureFree(plan);

        var tokens = RunTokens.Create();
        var deadline = Stopwatch.StartNew();
        using var health = new HealthProbe();
        await using var processes = new RunProcesses(plan, tokens, daprd);

        Terminal.Info(daprd is null ? "starting the dev sidecar …" : $"starting daprd ({daprd}) for {plan.Apps.Count} app(s) …");
        await processes.StartSidecarsAsync();
        if (!await WaitForSidecarsAsync(plan, processes, health, deadline, shutdown)) return 0;
        foreach (var sidecar in processes.Sidecars) sidecar.Log.Release(print: true);

        Terminal.Info($"starting {string.Join(", ", plan.Apps.Select(a => a.AppId))} …");
        await processes.StartAppsAsync();
        if (!await WaitForAppsAsync(plan, processes, health, deadline, shutdown)) return 0;
        foreach (var sidecar in processes.Sidecars) sidecar.Restart = true;

        SummaryTable.Print(plan.Apps.Select(a => (a, processes.Apps[a].Pid, "healthy")).ToList(),
            tokens.OperatorToken, tokens.OperatorTokenGenerated, plan.LogDir);
        await shutdown.WhenCancelled();
        return 0;
    }

    /// <summary>Components loaded (`/v1.0/healthz/outbound`), or the sidecar's own diagnostics when it gave up.</summary>
    private static async Task<bool> WaitForSidecarsAsync(RunPlan plan, RunProcesses processes, HealthProbe health, Stopwatch deadline, CancellationToken shutdown)
    {
        while (true)
        {
            if (shutdown.IsCancellationRequested) return false;
            ThrowIfSidecarExited(processes, verbatim: true);
            var results = await Task.WhenAll(plan.Apps.Select(a => health.SidecarOutboundAsync(a.DaprHttpPort)));
            if (results.All(r => r.Healthy)) return true;
            if (deadline.Elapsed > plan.HealthTimeout)
            {
                ThrowIfSidecarExited(processes, verbatim: true);
                var sidecar = processes.Sidecars[0];
                throw NotHealthy(plan, results.Where(r => !r.Healthy).Select(r => $"sidecar: {r.Seen}").ToList(),
                    [.. sidecar.Log.Release(print: false).TakeLast(15).Select(l => $"{sidecar.Name} | {l}")], sidecar.Log.LogFile);
            }
            await Task.Delay(100, CancellationToken.None);
        }
    }

    private static async Task<bool> WaitForAppsAsync(RunPlan plan, RunProcesses processes, HealthProbe health, Stopwatch deadline, CancellationToken shutdown)
    {
        while (true)
        {
            if (shutdown.IsCancellationRequested) return false;
            ThrowIfSidecarExited(processes, verbatim: false);
            var checks = await Task.WhenAll(plan.Apps.Select(async a =>
                (App: a, Own: await health.AppAsync(a.AppPort), Sidecar: await health.SidecarAsync(a.DaprHttpPort))));
            if (checks.All(c => c.Own.Healthy && c.Sidecar.Healthy)) return true;
            if (deadline.Elapsed > plan.HealthTimeout)
            {
                var problems = new List<string>();
                var tails = new List<string>();
                string? logFile = null;
                foreach (var (app, own, sidecar) in checks.Where(c => !c.Own.Healthy || !c.Sidecar.Healthy))
                {
                    if (!own.Healthy) problems.Add($"app '{app.AppId}': {own.Seen}");
                    if (!sidecar.Healthy) problems.Add($"sidecar of '{app.AppId}': {sidecar.Seen}");
                    var log = (own.Healthy ? processes.SidecarOf(app) : processes.Apps[app]).Log;
                    logFile ??= log.LogFile;
                    tails.AddRange(log.Tail(10).Select(l => $"{log.Name} | {l}"));
                }
                throw NotHealthy(plan, problems, tails, logFile!);
            }
            await Task.Delay(200, CancellationToken.None);
        }
    }

    private static void ThrowIfSidecarExited(RunProcesses processes, bool verbatim)
    {
        var exited = processes.Sidecars.FirstOrDefault(s => s.ExitedUnexpectedly.IsCompleted);
        if (exited is null) return;
        var code = exited.ExitedUnexpectedly.Result;
        string? details = null;
        if (verbatim)
        {
            // The sidecar's own VX1xxx diagnostics are the message a person needs: shown as they were written.
            foreach (var line in exited.Log.Release(print: false)) Terminal.Write(System.Console.Error, line);
        }
        else details = string.Join('\n', exited.Log.Tail(15));
        throw new AppHostError(AppHostErrorCodes.SidecarExited,
            $"{exited.Name} exited with code {code} during start-up" + (verbatim ? " (its diagnostics are above)" : "; its last lines:"),
            "fix what its messages name (usually a component in the resources folder), then start AppHost again; full log: " + exited.Log.LogFile,
            details: details);
    }

    private static AppHostError NotHealthy(RunPlan plan, IReadOnlyList<string> problems, IReadOnlyList<string> tail, string logFile) =>
        new(AppHostErrorCodes.NotHealthy,
            $"not healthy after {plan.HealthTimeout.TotalSeconds:0}s: {string.Join("; ", problems)}",
            $"read the log ({logFile}); an app must answer GET /healthz with 200 and its sidecar GET /v1.0/healthz with 204 " +
            "(that needs the app's /dapr/subscribe); raise --health-timeout if it is only slow",
            details: tail.Count > 0 ? "last lines:\n" + string.Join('\n', tail) : null);
}
