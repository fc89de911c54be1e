using Veltrix.AppHost;
using Veltrix.AppHost.CommandLine;
using Veltrix.AppHost.Console;
using Veltrix.AppHost.Hosting;
using Veltrix.AppHost.Run;
using Veltrix.Resources.Diagnostics;

// AppHost: the whole local system of dapr.yaml as an Aspire app model — DCP runs the sidecar and the apps, the
// dashboard shows their health, logs, metrics and traces; Ctrl+C stops everything it started.
if (AppHostCommandLine.WantsHelp(args)) return await AppHostCommandLine.Build().Parse(args).InvokeAsync();

try
{
    if (await LocalRun.PrepareAsync(AppHostCommandLine.Parse(args)) is not { } run) return 0;
    var builder = DistributedApplication.CreateBuilder(run.AspireOptions());
    builder.AddVeltrixRun(run);
    await builder.Build().RunAsync();
    return Environment.ExitCode;
}
catch (OperationCanceledException) when (Environment.ExitCode != 0)
{
    // AppHost stopped itself during start-up (VX4005/VX4006, already printed): Aspire's start was cancelled.
    return Environment.ExitCode;
}
catch (AppHostError error)
{
    Terminal.Error(error.Render());
    return error.ExitCode;
}
catch (DiagnosticException problems)
{
    // dapr.yaml: every problem at once, compiler-style, as `veltrix check` prints them.
    foreach (var problem in problems.Diagnostics) Terminal.Error(problem.ToString());
    return 2;
}
