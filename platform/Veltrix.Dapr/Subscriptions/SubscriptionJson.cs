using System.Text.Json.Serialization;

namespace Veltrix.Dapr.Subscriptions;

/// <summary>One item of the <c>GET /dapr/subscribe</c> answer (daprd's <c>SubscriptionJSON</c>, contract §2.1).</summary>
internal sealed record SubscriptionJson(
    [property: JsonPropertyName("pubsubname")] string PubsubName,
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("routes")] SubscriptionRoutesJson Routes,
    [property: JsonPropertyName("deadLetterTopic")] string? DeadLetterTopic,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata,
    [property: JsonPropertyName("bulkSubscribe")] BulkSubscribeJson? BulkSubscribe);

internal sealed record SubscriptionRoutesJson(
    [property: JsonPropertyName("rules")] IReadOnlyList<SubscriptionRuleJson>? Rules,
    [property: JsonPropertyName("default")] string? Default);

internal sealed record SubscriptionRuleJson(
    [property: JsonPropertyName("match")] string Match,
    [property: JsonPropertyName("path")] string Path);

internal sealed record BulkSubscribeJson(
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("maxMessagesCount")] int MaxMessagesCount,
    [property: JsonPropertyName("maxAwaitDurationMs")] int MaxAwaitDurationMs);
