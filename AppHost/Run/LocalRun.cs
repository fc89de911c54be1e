using System.Runtime.InteropServices;
using Veltrix.AppHost.Build;
using Veltrix.AppHost.CommandLine;
using Veltrix.AppHost.Console;
using Veltrix.AppHost.Processes;
using Veltrix.Resources.RunTemplates;

namespace Veltrix.AppHost.Run;

/// <summary>Everything decided before Aspire starts: the plan of dapr.yaml, the tokens, the dashboard's ports, daprd's path.</summary>
public sealed record PreparedRun(RunPlan Plan, RunTokens Tokens, DashboardPorts Dashboard, string? Daprd);

/// <summary>
/// What runs before the app model is built, in the order that makes failures clear: read dapr.yaml, check ports,
/// build, check build outputs, check ports again. A failure here is one VX message and nothing started.
/// </summary>
public static class LocalRun
{
    /// <summary>The prepared run, or null when Ctrl+C stopped the build.</summary>
    public static async Task<PreparedRun?> PrepareAsync(AppHostOptions options)
    {
        var template = RunTemplateReader.Read(options.RunFile);
        foreach (var warning in template.Warnings) Terminal.Info(warning.ToString());
        var root = RepositoryRoot.Find(options.RunFile);
        var plan = RunPlan.Create(options, template, root);
        PrivateFiles.CreateDirectory(plan.LogDir);
        Terminal.AlsoWriteTo(Path.Combine(plan.LogDir, "apphost.log"));
        var daprd = plan.UseDaprd ? Daprd.Find() : null;
        var dashboard = DashboardPorts.For(options.PortOffset);
        PortCheck.EnsureFree(plan, dashboard);
        var tokens = RunTokens.Create(plan.Apps.Select(a => a.AppId)); // a weak operator token is refused before the build, not after it

        if (!options.NoBuild)
        {
            Terminal.Info("building Veltrix.sln …");
            // Aspire handles Ctrl+C once it runs; before that, a Ctrl+C during the build stops the build.
            using var cancel = new CancellationTokenSource();
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cancel.Cancel(); });
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
            try
            {
                await SolutionBuild.RunAsync(root, BuildOutputs.ConfigurationsToBuild(template), cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Terminal.Info("stopped");
                return null;
            }
        }
        BuildOutputs.Check(root, template, plan.UseDaprd, options.NoBuild);
        PortCheck.EnsureFree(plan, dashboard);
        return new PreparedRun(plan, tokens, dashboard, daprd);
    }
}
