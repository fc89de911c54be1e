using Veltrix.Resources.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Resources.Yaml;

/// <summary>Small accessors over YamlDotNet's node model that keep source positions at hand.</summary>
public static class YamlNodes
{
    public static SourceLocation At(this YamlNode node, string file) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    public static YamlNode? Child(this YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode { Value: { } name } && name == key) return v;
        return null;
    }

    public static YamlScalarNode? KeyNode(this YamlMappingNode map, string key) =>
        map.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == key);

    public static IEnumerable<(string Key, YamlScalarNode KeyNode, YamlNode Value)> Entries(this YamlMappingNode map)
    {
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode { Value: { } name } scalar) yield return (name, scalar, v);
    }

    /// <summary>
    /// Where to report a required key that is missing or unusable, walking the path from <paramref name="map"/>: a key
    /// missing from a mapping at that mapping, an empty one at its key, a value of the wrong shape (a list or a mapping
    /// where text is wanted, or the reverse) at the value — never at the document's start when a value is at fault.
    /// </summary>
    public static SourceLocation ProblemAt(this YamlMappingNode map, string file, params string[] path)
    {
        var current = map;
        foreach (var key in path)
        {
            var child = current.Child(key);
            if (child is YamlMappingNode inner && key != path[^1])
            {
                current = inner;
                continue;
            }
            return child switch
            {
                null => current.At(file),
                YamlScalarNode { Value: null or "" } when current.KeyNode(key) is { } keyNode => keyNode.At(file),
                _ => child.At(file),
            };
        }
        return current.At(file);
    }

    public static string? Scalar(this YamlMappingNode map, string key) => (map.Child(key) as YamlScalarNode)?.Value;

    public static string? ScalarValue(this YamlNode? node) => (node as YamlScalarNode)?.Value;

    /// <summary>Where each entry of a string list (see <see cref="StringList"/>) is written; a comma-separated scalar gives its own position to all.</summary>
    public static IReadOnlyDictionary<string, SourceLocation> StringListLocations(this YamlNode? node, string file)
    {
        var at = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        if (node is YamlSequenceNode seq)
            foreach (var item in seq.Children.OfType<YamlScalarNode>().Where(s => s.Value is { Length: > 0 })) at.TryAdd(item.Value!, item.At(file));
        else if (node is YamlScalarNode scalar)
            foreach (var item in node.StringList()) at.TryAdd(item, scalar.At(file));
        return at;
    }

    /// <summary>A list of strings written either as a YAML sequence or as one comma-separated scalar.</summary>
    public static IReadOnlyList<string> StringList(this YamlNode? node) => node switch
    {
        YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").Where(s => s.Length > 0).ToList(),
        YamlScalarNode { Value: { Length: > 0 } text } => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        _ => [],
    };
}
