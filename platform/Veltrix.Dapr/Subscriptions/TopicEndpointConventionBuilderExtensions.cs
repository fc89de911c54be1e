using Veltrix.Dapr;
using Veltrix.Dapr.Subscriptions;

namespace Microsoft.AspNetCore.Builder;

public static class TopicEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Subscribes the endpoint to a topic (the fluent twin of <see cref="TopicAttribute"/>) and requires the sidecar's
    /// app token on it. Call it several times to subscribe to several topics.
    /// </summary>
    /// <param name="builder">The endpoint.</param>
    /// <param name="pubsubName">The pub/sub component name.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="deadLetterTopic">Where dropped or retry-exhausted events go.</param>
    /// <param name="match">CEL rule over the CloudEvent; null makes this the topic's default route.</param>
    /// <param name="priority">Rule order among the topic's matched routes, lower first.</param>
    /// <param name="rawPayload">Subscribe to raw payloads (deliveries carry the bytes as <c>data_base64</c>).</param>
    /// <param name="metadata">Subscription metadata for the component (e.g. RabbitMQ <c>queueName</c>).</param>
    public static TBuilder WithTopic<TBuilder>(this TBuilder builder, string pubsubName, string topic, string? deadLetterTopic = null,
        string? match = null, int priority = 0, bool rawPayload = false, IReadOnlyDictionary<string, string>? metadata = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(pubsubName);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var copy = metadata is null ? null : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        builder.WithMetadata(new TopicEndpointMetadata(pubsubName, topic, match, priority, deadLetterTopic, rawPayload, copy));
        return builder.RequireDaprAppToken();
    }

    /// <summary>Asks the sidecar to deliver this endpoint's topic(s) in batches; bind the body as <c>BulkSubscribeMessage&lt;T&gt;</c>.</summary>
    public static TBuilder WithBulkSubscribe<TBuilder>(this TBuilder builder, int maxMessagesCount = 100, int maxAwaitDurationMs = 1000, string? topicName = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessagesCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAwaitDurationMs, 0);
        builder.WithMetadata(new BulkSubscribeEndpointMetadata(topicName, maxMessagesCount, maxAwaitDurationMs));
        return builder.RequireDaprAppToken();
    }
}
