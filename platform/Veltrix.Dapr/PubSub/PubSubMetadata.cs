using System.Globalization;

namespace Veltrix.Dapr.Client;

/// <summary>
/// Well-known publish metadata keys (sent as <c>?metadata.&lt;key&gt;=&lt;value&gt;</c>), with helpers for the common
/// combinations so callers do not hand-type Dapr's spelling.
/// </summary>
public static class PubSubMetadata
{
    /// <summary><c>true</c>: publish the body as-is, without a CloudEvent envelope.</summary>
    public const string RawPayload = "rawPayload";

    /// <summary>Message time-to-live in seconds; expired messages are dropped (or dead-lettered) by the subscriber sidecar.</summary>
    public const string TtlInSeconds = "ttlInSeconds";

    /// <summary>Broker partition/message key (Kafka, Event Hubs, Service Bus); ignored by in-memory and RabbitMQ.</summary>
    public const string PartitionKey = "partitionKey";

    public const string CloudEventId = "cloudevent.id";
    public const string CloudEventSource = "cloudevent.source";
    public const string CloudEventType = "cloudevent.type";

    /// <summary>Honoured by daprd 1.17+ only.</summary>
    public const string CloudEventSubject = "cloudevent.subject";

    public const string CloudEventTraceParent = "cloudevent.traceparent";
    public const string CloudEventTraceState = "cloudevent.tracestate";

    /// <summary>Metadata that publishes the body without a CloudEvent envelope.</summary>
    public static Dictionary<string, string> Raw() => new(StringComparer.Ordinal) { [RawPayload] = "true" };

    /// <summary>Metadata with a message TTL (whole seconds, at least one).</summary>
    public static Dictionary<string, string> WithTtl(TimeSpan ttl) =>
        new(StringComparer.Ordinal) { [TtlInSeconds] = TtlValue(ttl) };

    /// <summary>Metadata that fixes the CloudEvent id, e.g. to make a retried publish deduplicable by consumers.</summary>
    public static Dictionary<string, string> WithCloudEventId(string id) =>
        new(StringComparer.Ordinal) { [CloudEventId] = id };

    /// <summary>Formats a TTL the way the sidecar reads it.</summary>
    public static string TtlValue(TimeSpan ttl)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        return Math.Max(1L, (long)Math.Ceiling(ttl.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }
}
