using Veltrix.Resources.Diagnostics;

namespace Veltrix.Resources.Components;

/// <summary>One metadata entry of a component, with where it was written.</summary>
public sealed record MetadataEntry(string Name, string Value, SourceLocation Location);

/// <summary>A Dapr `Component` resource (pub/sub, state store, …) as read from YAML.</summary>
public sealed record ComponentResource(
    string Name, string Type, string Version, IReadOnlyList<MetadataEntry> Metadata, IReadOnlyList<string> Scopes, SourceLocation Location)
{
    public string BuildingBlock => Type.Split('.')[0];

    public string? Get(string key) => Metadata.FirstOrDefault(m => string.Equals(m.Name, key, StringComparison.OrdinalIgnoreCase))?.Value;

    public IReadOnlyDictionary<string, string> MetadataDictionary =>
        Metadata.GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>An unscoped component loads for every app; a scoped one only for the listed app IDs.</summary>
    public bool AppliesTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);
}
