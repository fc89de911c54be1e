namespace Veltrix.Resources.Components;

/// <summary>What Veltrix knows about one Dapr component type: its versions and metadata keys.</summary>
public sealed record ComponentTypeInfo(string Type, IReadOnlyList<string> Versions, IReadOnlyList<MetadataField> Fields)
{
    public string BuildingBlock => Type[..Type.IndexOf('.', StringComparison.Ordinal)];

    /// <summary>Groups where at least one key must be present (e.g. connectionString or host).</summary>
    public IReadOnlyList<string[]> RequiredOneOf { get; init; } = [];
}
