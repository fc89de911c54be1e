using Veltrix.Resources.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Resources.Yaml;

/// <summary>Reads every *.yaml / *.yml document under the given folders, reporting malformed YAML with its position.</summary>
public static class ResourceFileReader
{
    public static IReadOnlyList<string> FindFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*.*", SearchOption.TopDirectoryOnly)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static IReadOnlyList<RawResource> ReadFile(string file, List<Diagnostic> diagnostics) =>
        ReadText(file, File.ReadAllText(file), diagnostics);

    public static IReadOnlyList<RawResource> ReadText(string file, string text, List<Diagnostic> diagnostics)
    {
        if (NotPrintable(text) is { } bad)
        {
            // YamlDotNet reads such characters as text and fails somewhere later, if at all.
            diagnostics.Add(new Diagnostic(ErrorCodes.MalformedYaml, DiagnosticSeverity.Error, new SourceLocation(file, bad.Line, bad.Column),
                $"the file is not valid YAML: character U+{bad.Character:X4} cannot appear in a YAML file",
                "resource folders hold YAML text only: remove or replace the character (is this a binary file?)"));
            return [];
        }
        if (YamlText.Load(text, out var failure) is not { } stream)
        {
            var reason = failure!.Reason;
            // For a tab, YamlDotNet's mark is where the enclosing mapping or scalar starts; the tab is what to fix.
            var tab = reason.Contains("tab", StringComparison.Ordinal) ? IndentingTab(text, (int)failure.Start.Line) : null;
            var location = tab is { } at
                ? new SourceLocation(file, at.Line, at.Column)
                : new SourceLocation(file, (int)failure.Start.Line, (int)failure.Start.Column);
            diagnostics.Add(new Diagnostic(ErrorCodes.MalformedYaml, DiagnosticSeverity.Error, location,
                $"the file is not valid YAML: {Clean(reason)}",
                "check the indentation (spaces only, consistent per level) and that every 'key: value' has a space after the colon"));
            return [];
        }

        var resources = new List<RawResource>();
        foreach (var document in stream.Documents)
        {
            switch (document.RootNode)
            {
                case YamlMappingNode map:
                    resources.Add(new RawResource(file, map.Scalar("apiVersion"), map.Scalar("kind"), map));
                    break;
                case YamlScalarNode { Value: null or "" }:
                    break; // an empty document between '---' separators
                default:
                    diagnostics.Add(new Diagnostic(ErrorCodes.MalformedYaml, DiagnosticSeverity.Error, document.RootNode.At(file),
                        "a resource document must be a mapping (apiVersion, kind, metadata, spec)",
                        "start the document with 'apiVersion: dapr.io/v1alpha1' and 'kind: Component' (or Subscription, Resiliency)"));
                    break;
            }
        }
        return resources;
    }

    /// <summary>The first character YAML does not allow (outside c-printable: control characters, lone surrogates), with its 1-based line and column.</summary>
    private static (int Line, int Column, int Character)? NotPrintable(string text)
    {
        var (line, column) = (1, 1);
        for (var i = 0; i < text.Length; i++, column++)
        {
            var c = text[i];
            if (c == '\n' || (c == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                (line, column) = (line + 1, 0);
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            var printable = c is '\t' or '\r' or '\u0085' or (>= ' ' and <= '~') or (>= '\u00a0' and <= '\ud7ff') or (>= '\ue000' and <= '\ufffd');
            if (!printable) return (line, column, c);
        }
        return null;
    }

    /// <summary>The first tab in the indentation of a line, from the given line on.</summary>
    private static (int Line, int Column)? IndentingTab(string text, int fromLine)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = Math.Max(0, fromLine - 1); i < lines.Length; i++)
        {
            var indentation = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', 0, indentation);
            if (tab >= 0) return (i + 1, tab + 1);
        }
        return null;
    }

    // YamlDotNet prefixes its messages with the mark again; the location is reported separately.
    private static string Clean(string message)
    {
        var index = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && index > 0 ? message[(index + 3)..] : message;
    }
}
