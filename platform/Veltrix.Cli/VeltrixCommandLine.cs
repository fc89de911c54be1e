using System.CommandLine;
using Veltrix.Cli.Commands;
using Veltrix.Events.Checks;

namespace Veltrix.Cli;

/// <summary>The `veltrix` command line; <see cref="RunAsync"/> is what Program.cs and the tests call.</summary>
public static class VeltrixCommandLine
{
    public static async Task<int> RunAsync(string[] args, CliContext cli, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("veltrix: check, graph and version the event configuration of a Veltrix system.")
        {
            CheckCommands.Check(cli), CheckCommands.Graph(cli), ConfigCommands.Build(cli), DeadLetterCommands.Build(cli),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) cli.Error.WriteLine($"error[{EventErrorCodes.CliCannotRun}]: {error.Message}");
            cli.Error.WriteLine("  = help: run `veltrix --help` (or `veltrix <command> --help`) to see the commands and their options");
            return ExitCodes.CouldNotRun;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = cli.Output, Error = cli.Error, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never a stack trace: say what failed and where to look.
            cli.Error.WriteLine($"error[{EventErrorCodes.CliCannotRun}]: {e.GetType().Name}: {e.Message}\n  = help: this is a bug in veltrix if the message does not say how to fix it; please report it with the command you ran");
            return ExitCodes.CouldNotRun;
        }
    }
}
