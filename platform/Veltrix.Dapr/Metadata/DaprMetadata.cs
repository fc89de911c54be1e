using System.Text.Json.Serialization;

namespace Veltrix.Dapr.Client;

/// <summary>What <c>GET /v1.0/metadata</c> reports about the sidecar (contract §4); absent fields are empty.</summary>
public sealed record DaprMetadata
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("runtimeVersion")] public string? RuntimeVersion { get; init; }
    [JsonPropertyName("enabledFeatures")] public IReadOnlyList<string> EnabledFeatures { get; init; } = [];
    [JsonPropertyName("actors")] public IReadOnlyList<DaprActorMetadata> Actors { get; init; } = [];
    [JsonPropertyName("components")] public IReadOnlyList<DaprComponentsMetadata> Components { get; init; } = [];
    [JsonPropertyName("subscriptions")] public IReadOnlyList<DaprSubscriptionMetadata> Subscriptions { get; init; } = [];
    [JsonPropertyName("extended")] public IReadOnlyDictionary<string, string> Extended { get; init; } = new Dictionary<string, string>();
    [JsonPropertyName("appConnectionProperties")] public DaprAppConnectionProperties? AppConnectionProperties { get; init; }
}

public sealed record DaprActorMetadata
{
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    [JsonPropertyName("count")] public int Count { get; init; }
}

/// <summary>A loaded component; <see cref="Capabilities"/> are daprd's feature names (ETAG, TRANSACTIONAL, TTL, …).</summary>
public sealed record DaprComponentsMetadata
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    [JsonPropertyName("version")] public string Version { get; init; } = "";
    [JsonPropertyName("capabilities")] public IReadOnlyList<string> Capabilities { get; init; } = [];
}

/// <summary>A subscription the sidecar holds; <see cref="Type"/> is PROGRAMMATIC, DECLARATIVE or STREAMING.</summary>
public sealed record DaprSubscriptionMetadata
{
    [JsonPropertyName("pubsubname")] public string PubsubName { get; init; } = "";
    [JsonPropertyName("topic")] public string Topic { get; init; } = "";
    [JsonPropertyName("metadata")] public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    [JsonPropertyName("rules")] public IReadOnlyList<DaprSubscriptionRule> Rules { get; init; } = [];
    [JsonPropertyName("deadLetterTopic")] public string? DeadLetterTopic { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
}

/// <summary>A routing rule; the rule without <see cref="Match"/> is the default route.</summary>
public sealed record DaprSubscriptionRule
{
    [JsonPropertyName("match")] public string? Match { get; init; }
    [JsonPropertyName("path")] public string Path { get; init; } = "";
}

public sealed record DaprAppConnectionProperties
{
    [JsonPropertyName("port")] public int Port { get; init; }
    [JsonPropertyName("protocol")] public string? Protocol { get; init; }
    [JsonPropertyName("channelAddress")] public string? ChannelAddress { get; init; }
    [JsonPropertyName("maxConcurrency")] public int MaxConcurrency { get; init; }
}
