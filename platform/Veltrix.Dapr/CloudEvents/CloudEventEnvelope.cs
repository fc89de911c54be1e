using System.Text.Json;

namespace Veltrix.Dapr.AspNetCore;

/// <summary>
/// The CloudEvent attributes of a delivery, without its data (the handler's body binding gets that). <see cref="Id"/>
/// is always a non-empty string: deliveries without one are refused, because consumers deduplicate on it.
/// </summary>
public sealed record CloudEventEnvelope
{
    public required string Id { get; init; }
    public string? Source { get; init; }
    public string? Type { get; init; }
    public string? SpecVersion { get; init; }
    public string? DataContentType { get; init; }
    public string? Subject { get; init; }
    public DateTimeOffset? Time { get; init; }

    /// <summary>Dapr extension: the topic the event was published to (a dead-lettered event keeps its original topic).</summary>
    public string? Topic { get; init; }

    /// <summary>Dapr extension: the pub/sub component.</summary>
    public string? PubsubName { get; init; }

    public string? TraceParent { get; init; }
    public string? TraceState { get; init; }

    /// <summary>Dapr extension, set for TTL'd messages on brokers without native TTL.</summary>
    public DateTimeOffset? Expiration { get; init; }

    /// <summary>Every other attribute (including Dapr's <c>traceid</c> and custom extensions), as published.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; init; } = new Dictionary<string, JsonElement>();
}
