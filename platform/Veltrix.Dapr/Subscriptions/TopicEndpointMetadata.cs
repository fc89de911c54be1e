namespace Veltrix.Dapr.Subscriptions;

/// <summary>What <c>WithTopic</c> attaches to an endpoint: the same facts as <see cref="TopicAttribute"/>, plus metadata.</summary>
internal sealed record TopicEndpointMetadata(
    string PubsubName,
    string Name,
    string? Match,
    int Priority,
    string? DeadLetterTopic,
    bool EnableRawPayload,
    IReadOnlyDictionary<string, string>? Metadata) : ITopicMetadata;

/// <summary>What <c>WithBulkSubscribe</c> attaches to an endpoint.</summary>
internal sealed record BulkSubscribeEndpointMetadata(string? TopicName, int MaxMessagesCount, int MaxAwaitDurationMs) : IBulkSubscribeMetadata;
