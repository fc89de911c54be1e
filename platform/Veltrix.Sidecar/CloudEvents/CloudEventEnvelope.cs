using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Veltrix.Sidecar.CloudEvents;

/// <summary>
/// Builds the CloudEvent a publish puts on the broker, by daprd's rules (contract §1.2–1.3): a plain body is wrapped
/// in a new envelope; an `application/cloudevents+json` body is completed, never re-identified.
/// </summary>
public static class CloudEventEnvelope
{
    public const string CloudEventsContentType = "application/cloudevents+json";
    private const string DefaultType = "com.dapr.event.sent";

    /// <summary>True when the content type (before any ';') means the body already is a CloudEvent.</summary>
    public static bool IsCloudEvent(string contentType) => BaseType(contentType) == CloudEventsContentType;

    /// <summary>Case A: wraps a body that is not a CloudEvent.</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> body, string? contentType, EnvelopeContext context)
    {
        var dataContentType = string.IsNullOrEmpty(contentType) ? "text/plain" : contentType;
        var writer = ScratchWriter.Start();
        {
            writer.WriteStartObject();
            writer.WriteString("id", Override(context, "id") ?? Guid.NewGuid().ToString());
            writer.WriteString("source", Override(context, "source") ?? (context.AppId.Length > 0 ? context.AppId : "Dapr"));
            writer.WriteString("type", Override(context, "type") ?? DefaultType);
            writer.WriteString("specversion", "1.0");
            writer.WriteString("datacontenttype", dataContentType);
            writer.WriteString("topic", context.Topic);
            writer.WriteString("pubsubname", context.PubSubName);
            var trace = TraceParent(context);
            writer.WriteString("traceid", trace);
            writer.WriteString("traceparent", trace);
            writer.WriteString("tracestate", Override(context, "tracestate") ?? context.TraceState ?? "");
            writer.WriteString("time", Rfc3339(context.Now.ToLocalTime()));
            if (Override(context, "subject") is { } subject) writer.WriteString("subject", subject);
            if (Expiration(context) is { } expiration) writer.WriteString("expiration", expiration);
            WriteData(writer, body, dataContentType);
            writer.WriteEndObject();
        }
        return ScratchWriter.Finish(writer);
    }

    /// <summary>The attributes <see cref="Complete"/> sets or fills in, as found at the top level of a body.</summary>
    [Flags]
    private enum Attributes
    {
        None = 0,
        Topic = 1,
        PubSubName = 2,
        Time = 4,
        TraceId = 8,
        TraceParent = 16,
        TraceState = 32,
        Source = 64,
        Type = 128,
        SpecVersion = 256,
    }

    /// <summary>
    /// Case B: completes a CloudEvent the publisher built. Throws <see cref="FormatException"/> if it is not a JSON object.
    /// Streamed rather than parsed into a document: a first pass validates the body and notes which attributes it has, the
    /// second copies every top-level member's bytes as they are, replacing <c>topic</c> and <c>pubsubname</c> (and
    /// <c>traceparent</c> when there is no <c>traceid</c>) where they stand and appending what is missing, in the order
    /// daprd's rules (and a JsonObject before this) give. Every publish of every service goes through here, once per event.
    /// </summary>
    public static byte[] Complete(ReadOnlySpan<byte> body, EnvelopeContext context)
    {
        var present = Attributes.None;
        try
        {
            var scan = new Utf8JsonReader(body);
            if (!scan.Read() || scan.TokenType != JsonTokenType.StartObject) throw new FormatException("the body is not a JSON object");
            while (scan.Read() && scan.TokenType == JsonTokenType.PropertyName)
            {
                present |= Attribute(ref scan);
                scan.Read();
                scan.Skip();
            }
            if (scan.Read()) throw new FormatException("the body holds more than one JSON value");
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }

        var replaceTraceParent = (present & Attributes.TraceId) == 0;
        var trace = context.TraceParent ?? "";
        var writer = ScratchWriter.Start();
        {
            writer.WriteStartObject();
            var reader = new Utf8JsonReader(body);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var attribute = Attribute(ref reader);
                if (reader.ValueIsEscaped) writer.WritePropertyName(reader.GetString()!);
                else writer.WritePropertyName(reader.ValueSpan);
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                reader.Skip();
                switch (attribute)
                {
                    case Attributes.Topic: writer.WriteStringValue(context.Topic); break;
                    case Attributes.PubSubName: writer.WriteStringValue(context.PubSubName); break;
                    case Attributes.TraceParent when replaceTraceParent: writer.WriteStringValue(trace); break;
                    default: writer.WriteRawValue(body[valueStart..(int)reader.BytesConsumed], skipInputValidation: true); break;
                }
            }
            if ((present & Attributes.Topic) == 0) writer.WriteString("topic", context.Topic);
            if ((present & Attributes.PubSubName) == 0) writer.WriteString("pubsubname", context.PubSubName);
            if ((present & Attributes.Time) == 0) writer.WriteString("time", Rfc3339(context.Now.ToLocalTime()));
            if (replaceTraceParent)
            {
                writer.WriteString("traceid", trace);
                if ((present & Attributes.TraceParent) == 0) writer.WriteString("traceparent", trace);
            }
            if ((present & Attributes.TraceState) == 0) writer.WriteString("tracestate", context.TraceState ?? "");
            if ((present & Attributes.Source) == 0) writer.WriteString("source", "Dapr");
            if ((present & Attributes.Type) == 0) writer.WriteString("type", DefaultType);
            if ((present & Attributes.SpecVersion) == 0) writer.WriteString("specversion", "1.0");
            writer.WriteEndObject();
        }
        return ScratchWriter.Finish(writer);
    }

    private static Attributes Attribute(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("topic"u8) ? Attributes.Topic
        : reader.ValueTextEquals("pubsubname"u8) ? Attributes.PubSubName
        : reader.ValueTextEquals("time"u8) ? Attributes.Time
        : reader.ValueTextEquals("traceid"u8) ? Attributes.TraceId
        : reader.ValueTextEquals("traceparent"u8) ? Attributes.TraceParent
        : reader.ValueTextEquals("tracestate"u8) ? Attributes.TraceState
        : reader.ValueTextEquals("source"u8) ? Attributes.Source
        : reader.ValueTextEquals("type"u8) ? Attributes.Type
        : reader.ValueTextEquals("specversion"u8) ? Attributes.SpecVersion
        : Attributes.None;

    /// <summary>What a rawPayload subscription receives: the broker bytes, base64 inside a minimal envelope.</summary>
    public static byte[] WrapRawForDelivery(ReadOnlySpan<byte> raw, string pubsub, string topic, IReadOnlyDictionary<string, string> metadata)
    {
        var writer = ScratchWriter.Start();
        {
            writer.WriteStartObject();
            writer.WriteString("id", Guid.NewGuid().ToString());
            writer.WriteString("specversion", "1.0");
            writer.WriteString("datacontenttype", "application/octet-stream");
            writer.WriteString("source", "Dapr");
            writer.WriteString("type", DefaultType);
            writer.WriteString("topic", topic);
            writer.WriteString("pubsubname", pubsub);
            foreach (var key in (string[])["traceid", "traceparent", "tracestate"])
                if (metadata.TryGetValue(key, out var value)) writer.WriteString(key, value);
            writer.WriteBase64String("data_base64", raw);
            writer.WriteEndObject();
        }
        return ScratchWriter.Finish(writer);
    }

    // Every envelope stamps the current second; format it once per second, not once per event.
    private sealed record Stamp(long Second, TimeSpan Offset, string Text);

    private static Stamp? _lastTime; // a reference, so readers never see half of an update

    /// <summary>Go's time.RFC3339: second precision, "Z" for UTC, otherwise the offset.</summary>
    public static string Rfc3339(DateTimeOffset at)
    {
        var second = at.UtcTicks / TimeSpan.TicksPerSecond;
        if (_lastTime is { } cached && cached.Second == second && cached.Offset == at.Offset) return cached.Text;
        var text = Format(at);
        _lastTime = new Stamp(second, at.Offset, text);
        return text;
    }

    private static string Format(DateTimeOffset at) =>
        at.Offset == TimeSpan.Zero
            ? at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static string BaseType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return "";
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    private static void WriteData(Utf8JsonWriter writer, ReadOnlySpan<byte> body, string contentType)
    {
        switch (BaseType(contentType))
        {
            case "application/json" when IsValidJson(body):
                writer.WritePropertyName("data");
                writer.WriteRawValue(body, skipInputValidation: true);
                break;
            case "application/octet-stream" or "application/cloudevents+protobuf" or "application/x-protobuf":
                writer.WriteBase64String("data_base64", body);
                break;
            default:
                writer.WriteString("data", Encoding.UTF8.GetString(body)); // invalid JSON is embedded as a string too, as daprd does
                break;
        }
    }

    private static bool IsValidJson(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read()) { }
            return reader.BytesConsumed > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string TraceParent(EnvelopeContext context) =>
        Override(context, "traceparent") ?? Override(context, "traceid") ?? context.TraceParent ?? "";

    private static string? Override(EnvelopeContext context, string attribute)
    {
        foreach (var (key, value) in context.Metadata)
            if (key.Equals("cloudevent." + attribute, StringComparison.OrdinalIgnoreCase) && value.Length > 0) return value;
        return null;
    }

    // ttlInSeconds (or ttl as a duration or seconds); unparseable or non-positive values add nothing, as in daprd.
    private static string? Expiration(EnvelopeContext context)
    {
        TimeSpan ttl = default;
        var found = false;
        foreach (var (key, value) in context.Metadata)
        {
            if (key.Equals("ttlInSeconds", StringComparison.OrdinalIgnoreCase) && long.TryParse(value, CultureInfo.InvariantCulture, out var seconds))
                (ttl, found) = (TimeSpan.FromSeconds(seconds), true);
            else if (key.Equals("ttl", StringComparison.OrdinalIgnoreCase) && Veltrix.Resources.Components.GoDuration.TryParse(value, out var duration))
                (ttl, found) = (duration, true);
        }
        return found && ttl > TimeSpan.Zero ? Rfc3339(context.Now.UtcDateTime + ttl) : null;
    }
}
