using Veltrix.Resources.Diagnostics;

namespace Veltrix.Resources.Components;

/// <summary>One metadata entry of a component, with where it was written.</summary>
public sealed record MetadataEntry(string Name, string Value, SourceLocation Location)
{
    /// <summary>Where the value (or its envRef) is written: what a finding about the value points at.</summary>
    public SourceLocation? ValueLocation { get; init; }

    /// <summary>Set when the value comes from a secret store (`secretKeyRef`, daprd only); Value is then empty.</summary>
    public SecretReference? Secret { get; init; }
}

/// <summary>A `secretKeyRef` of a metadata entry: the secret's name and key, and where the reference is written.</summary>
public sealed record SecretReference(string Name, string? Key, SourceLocation Location);

/// <summary>A Dapr `Component` resource (pub/sub, state store, …) as read from YAML.</summary>
public sealed record ComponentResource(
    string Name, string Type, string Version, IReadOnlyList<MetadataEntry> Metadata, IReadOnlyList<string> Scopes, SourceLocation Location)
{
    /// <summary>Where metadata.name is written.</summary>
    public SourceLocation? NameLocation { get; init; }

    /// <summary>Where `scopes:` is written (null when the component is not scoped).</summary>
    public SourceLocation? ScopesLocation { get; init; }

    /// <summary>Where each app ID of `scopes:` is written.</summary>
    public IReadOnlyDictionary<string, SourceLocation> ScopeLocations { get; init; } = new Dictionary<string, SourceLocation>();

    /// <summary>`auth.secretStore`: the secret store its `secretKeyRef`s resolve through, and where it is written.</summary>
    public (string Name, SourceLocation At)? SecretStore { get; init; }

    /// <summary>The file the component was read from.</summary>
    public string File => Location.File;

    public string BuildingBlock => Type.Split('.')[0];

    public string? Get(string key) => Metadata.FirstOrDefault(m => string.Equals(m.Name, key, StringComparison.OrdinalIgnoreCase))?.Value;

    public IReadOnlyDictionary<string, string> MetadataDictionary =>
        Metadata.GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>An unscoped component loads for every app; a scoped one only for the listed app IDs.</summary>
    public bool AppliesTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);
}
