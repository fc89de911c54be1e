namespace Veltrix.Resources.Diagnostics;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>
/// One finding about configuration: a stable VX code, where, what is wrong and how to fix it.
/// Rendered like a compiler's message so editors and people can both follow it. A finding about two places (a
/// duplicate, a conflict) points at the later or offending one and names the other in <see cref="Related"/>.
/// </summary>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, SourceLocation Location, string Message, string Help, SourceLocation? Related = null)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    public override string ToString() =>
        $"{Location}: {(IsError ? "error" : "warning")} {Code}: {Message}"
        + (Related is { } other ? $"\n  see also: {other}" : "")
        + (Help.Length > 0 ? $"\n  help: {Help}" : "");
}
