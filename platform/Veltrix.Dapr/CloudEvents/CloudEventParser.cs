using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Veltrix.Dapr.AspNetCore;

/// <summary>A CloudEvent's data as the handler should see it: body bytes plus the content type describing them.</summary>
internal readonly record struct CloudEventData(ReadOnlyMemory<byte> Body, string? ContentType);

/// <summary>Reads the structured-mode JSON CloudEvent the sidecar delivers (contract §1.2, §1.3, §2.3).</summary>
internal static class CloudEventParser
{
    private static readonly HashSet<string> KnownAttributes = new(StringComparer.Ordinal)
    {
        "id", "source", "type", "specversion", "datacontenttype", "subject", "time", "topic", "pubsubname",
        "traceparent", "tracestate", "expiration", "data", "data_base64",
    };

    /// <summary>Parses one envelope; false with a reason when it is not a usable CloudEvent.</summary>
    public static bool TryParse(JsonElement root, out CloudEventEnvelope envelope, out CloudEventData data, out string error)
    {
        envelope = null!;
        data = default;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = $"a CloudEvent must be a JSON object, got {root.ValueKind}";
            return false;
        }
        if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(idElement.GetString()))
        {
            error = "the CloudEvent has no string 'id' attribute (required by the CloudEvents spec, and what consumers deduplicate on)";
            return false;
        }

        var contentType = String(root, "datacontenttype");
        if (!TryReadData(root, contentType, out data, out error)) return false;

        var extensions = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
            if (!KnownAttributes.Contains(property.Name)) extensions[property.Name] = property.Value.Clone();

        envelope = new CloudEventEnvelope
        {
            Id = idElement.GetString()!,
            Source = String(root, "source"),
            Type = String(root, "type"),
            SpecVersion = String(root, "specversion"),
            DataContentType = contentType,
            Subject = String(root, "subject"),
            Time = Timestamp(root, "time"),
            Topic = String(root, "topic"),
            PubsubName = String(root, "pubsubname"),
            TraceParent = NullIfEmpty(String(root, "traceparent")),
            TraceState = NullIfEmpty(String(root, "tracestate")),
            Expiration = Timestamp(root, "expiration"),
            Extensions = extensions,
        };
        error = "";
        return true;
    }

    /// <summary>
    /// <c>data_base64</c> gives the decoded bytes; JSON <c>data</c> gives its JSON text; string <c>data</c> with a non-JSON
    /// content type gives the string itself (text/plain, XML, …), so handlers see what the publisher sent.
    /// </summary>
    private static bool TryReadData(JsonElement root, string? contentType, out CloudEventData data, out string error)
    {
        error = "";
        if (root.TryGetProperty("data_base64", out var base64) && base64.ValueKind != JsonValueKind.Null)
        {
            if (base64.ValueKind != JsonValueKind.String || !base64.TryGetBytesFromBase64(out var bytes))
            {
                data = default;
                error = "the CloudEvent's 'data_base64' is not a base64 string";
                return false;
            }
            data = new CloudEventData(bytes, contentType ?? "application/octet-stream");
            return true;
        }

        if (!root.TryGetProperty("data", out var value))
        {
            data = new CloudEventData(ReadOnlyMemory<byte>.Empty, contentType);
            return true;
        }

        // The JSON event format says data without datacontenttype is JSON.
        var isJson = contentType is null || IsJson(contentType);
        if (value.ValueKind == JsonValueKind.String && !isJson)
        {
            data = new CloudEventData(Encoding.UTF8.GetBytes(value.GetString()!), contentType);
            return true;
        }
        data = new CloudEventData(Encoding.UTF8.GetBytes(value.GetRawText()), isJson ? contentType ?? "application/json" : "application/json");
        return true;
    }

    /// <summary>application/json, text/json and any <c>+json</c> suffix, parameters ignored.</summary>
    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return false;
        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0) mediaType = mediaType[..semicolon];
        mediaType = mediaType.Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    public static bool IsMediaType(string? contentType, string expected)
    {
        if (string.IsNullOrEmpty(contentType)) return false;
        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0) mediaType = mediaType[..semicolon];
        return mediaType.Trim().Equals(expected, StringComparison.OrdinalIgnoreCase);
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DateTimeOffset? Timestamp(JsonElement root, string name) =>
        String(root, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? time
            : null;
}
