using System.Runtime.InteropServices;
using Veltrix.AppHost;
using Veltrix.AppHost.CommandLine;
using Veltrix.AppHost.Console;
using Veltrix.AppHost.Run;
using Veltrix.Resources.Diagnostics;

// AppHost: the whole local system from dapr.yaml with one command; Ctrl+C (or SIGTERM) stops everything it started.
if (AppHostCommandLine.WantsHelp(args)) return await AppHostCommandLine.Build().Parse(args).InvokeAsync();

using var shutdown = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
try
{
    var code = await LocalRun.RunAsync(AppHostCommandLine.Parse(args), shutdown.Token);
    if (shutdown.IsCancellationRequested) Terminal.Info("stopped");
    return code;
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

void Stop(PosixSignalContext context)
{
    context.Cancel = true; // AppHost stops its processes itself, then exits 0
    if (shutdown.IsCancellationRequested) return;
    Terminal.Info("stopping …");
    shutdown.Cancel();
}
