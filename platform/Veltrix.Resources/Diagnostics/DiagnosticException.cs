namespace Veltrix.Resources.Diagnostics;

/// <summary>Thrown when configuration cannot be used; carries every error found, not just the first.</summary>
public sealed class DiagnosticException(IReadOnlyList<Diagnostic> diagnostics)
    : Exception(string.Join('\n', diagnostics))
{
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}
