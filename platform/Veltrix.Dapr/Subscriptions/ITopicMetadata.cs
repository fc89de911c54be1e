namespace Veltrix.Dapr;

/// <summary>
/// Endpoint metadata that makes an endpoint a subscriber of one topic. <c>MapSubscribeHandler</c> collects every
/// endpoint carrying it into the <c>/dapr/subscribe</c> answer. Put there by <see cref="TopicAttribute"/> or <c>WithTopic</c>.
/// </summary>
public interface ITopicMetadata
{
    string PubsubName { get; }

    /// <summary>The topic name.</summary>
    string Name { get; }

    /// <summary>A CEL expression over the CloudEvent (<c>event.type == "x"</c>); null or empty makes this the topic's default route.</summary>
    string? Match { get; }

    /// <summary>Order of this endpoint's rule among the topic's rules: lower is evaluated first.</summary>
    int Priority { get; }

    /// <summary>Where the sidecar forwards events this subscription drops or exhausts retries on.</summary>
    string? DeadLetterTopic { get; }

    /// <summary>Subscribe to raw (non-CloudEvent) payloads; deliveries arrive as <c>data_base64</c> CloudEvents.</summary>
    bool EnableRawPayload { get; }

    /// <summary>Subscription metadata handed to the component (e.g. RabbitMQ <c>queueName</c>).</summary>
    IReadOnlyDictionary<string, string>? Metadata { get; }
}
