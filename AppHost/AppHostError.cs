using Veltrix.Resources.Diagnostics;

namespace Veltrix.AppHost;

/// <summary>
/// A failure meant for a person: one VX code, what is wrong, optional details (tool output shown verbatim) and how to
/// fix it. Program prints it and exits with <see cref="ExitCode"/>; it never surfaces as a stack trace.
/// </summary>
public sealed class AppHostError(string code, string message, string help, int exitCode = 1, SourceLocation? location = null, string? details = null)
    : Exception(message)
{
    public string Code { get; } = code;
    public string Help { get; } = help;
    public int ExitCode { get; } = exitCode;
    public SourceLocation? Location { get; } = location;
    public string? Details { get; } = details;

    public string Render()
    {
        var text = (Location is null ? "" : Location + ": ") + $"error {Code}: {Message}";
        if (!string.IsNullOrWhiteSpace(Details))
            text += "\n" + string.Join('\n', Details.TrimEnd().Split('\n').Select(l => "    " + l.TrimEnd('\r')));
        return text + $"\n  help: {Help}";
    }
}
