using Veltrix.Resources.Yaml;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Resources.Diagnostics;

/// <summary>Collects diagnostics while reading; every reader reports through one of these.</summary>
public sealed class DiagnosticSink(List<Diagnostic> diagnostics)
{
    public List<Diagnostic> All { get; } = diagnostics;

    public bool HasErrors => All.Any(d => d.IsError);

    public void Error(string code, SourceLocation at, string message, string help, SourceLocation? related = null) =>
        All.Add(new Diagnostic(code, DiagnosticSeverity.Error, at, message, help, related));

    public void Error(string code, string file, YamlNode at, string message, string help) => Error(code, at.At(file), message, help);

    public void Warning(string code, SourceLocation at, string message, string help, SourceLocation? related = null) =>
        All.Add(new Diagnostic(code, DiagnosticSeverity.Warning, at, message, help, related));

    /// <summary>Reports keys of a mapping that are not in the allowed set (a misspelt key is silently ignored by daprd).</summary>
    public void UnknownFields(string file, YamlMappingNode map, string where, IReadOnlyCollection<string> allowed)
    {
        foreach (var (key, keyNode, _) in map.Entries())
        {
            if (allowed.Contains(key)) continue;
            Error(ErrorCodes.UnknownField, file, keyNode, $"unknown field '{key}' in {where}",
                $"{DidYouMean.Hint(key, allowed)}the fields allowed here are: {string.Join(", ", allowed)}");
        }
    }
}
