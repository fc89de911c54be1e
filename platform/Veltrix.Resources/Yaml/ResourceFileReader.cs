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
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var location = new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column);
            var reason = e.InnerException?.Message ?? e.Message;
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

    // YamlDotNet prefixes its messages with the mark again; the location is reported separately.
    private static string Clean(string message)
    {
        var index = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && index > 0 ? message[(index + 3)..] : message;
    }
}
