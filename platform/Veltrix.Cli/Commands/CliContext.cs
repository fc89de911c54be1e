using Spectre.Console;

namespace Veltrix.Cli.Commands;

/// <summary>Where a command writes (the terminal, or a test's writers) and how it reaches the control service.</summary>
public sealed class CliContext(TextWriter output, TextWriter error, HttpMessageHandler? controlHandler = null)
{
    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;
    public HttpMessageHandler? ControlHandler { get; } = controlHandler;

    /// <summary>Tables for people: Spectre writing to <see cref="Output"/>, plain when it is not a terminal.</summary>
    public IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = output == System.Console.Out && !System.Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = output == System.Console.Out && !System.Console.IsOutputRedirected ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
    });
}

/// <summary>The exit codes: 0 clean, 1 problems found (or refused), 2 could not run.</summary>
public static class ExitCodes
{
    public const int Clean = 0;
    public const int Problems = 1;
    public const int CouldNotRun = 2;
}
