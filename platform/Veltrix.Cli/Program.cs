using Veltrix.Cli;
using Veltrix.Cli.Commands;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await VeltrixCommandLine.RunAsync(args, new CliContext(Console.Out, Console.Error), cancel.Token);
