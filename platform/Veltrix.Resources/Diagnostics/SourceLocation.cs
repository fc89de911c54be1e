namespace Veltrix.Resources.Diagnostics;

/// <summary>Where a configuration value sits: file, 1-based line and column.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public static SourceLocation Start(string file) => new(file, 1, 1);

    public override string ToString() => $"{File}:{Line}:{Column}";
}
