using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Veltrix.Dapr.AspNetCore;

/// <summary>
/// A bulk delivery (<c>type: com.dapr.event.sent.bulk</c>, contract §2.4). Take it as a handler parameter and it binds
/// itself: each entry's CloudEvent is parsed and its data read as <typeparamref name="TData"/> with the app's JSON options
/// (<c>Microsoft.AspNetCore.Http.Json.JsonOptions</c>, as minimal-API body binding uses). Answer with
/// <see cref="TopicResults.Bulk"/> or a <see cref="BulkSubscribeAppResponse"/>.
/// </summary>
public sealed class BulkSubscribeMessage<TData> : IBulkSubscribeMessage
{
    public BulkSubscribeMessage(IReadOnlyList<BulkSubscribeMessageEntry<TData>> entries, string topic, string pubsubName,
        IReadOnlyDictionary<string, string> metadata, string? id = null, string? type = null)
    {
        Entries = entries;
        Topic = topic;
        PubsubName = pubsubName;
        Metadata = metadata;
        Id = id;
        Type = type;
    }

    public IReadOnlyList<BulkSubscribeMessageEntry<TData>> Entries { get; }
    public string Topic { get; }
    public string PubsubName { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public string? Id { get; }
    public string? Type { get; }

    IEnumerable<CloudEventEnvelope?> IBulkSubscribeMessage.CloudEvents => Entries.Select(e => e.CloudEvent);

    /// <summary>Minimal-API binding hook.</summary>
    public static async ValueTask<BulkSubscribeMessage<TData>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.RequestServices.GetService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>()?.Value.SerializerOptions
            ?? JsonSerializerOptions.Web;
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The bulk delivery body is not JSON: " + e.Message, e);
        }
        using (document)
            return Parse(document.RootElement, options);
    }

    internal static BulkSubscribeMessage<TData> Parse(JsonElement root, JsonSerializerOptions options)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new BadHttpRequestException("A bulk delivery must be a JSON object with 'entries'.");

        var entries = new List<BulkSubscribeMessageEntry<TData>>();
        if (root.TryGetProperty("entries", out var items) && items.ValueKind == JsonValueKind.Array)
            foreach (var item in items.EnumerateArray())
                entries.Add(ParseEntry(item, options));

        return new BulkSubscribeMessage<TData>(entries, String(root, "topic") ?? "", String(root, "pubsubname") ?? "", Map(root, "metadata"),
            String(root, "id"), String(root, "type"));
    }

    private static BulkSubscribeMessageEntry<TData> ParseEntry(JsonElement item, JsonSerializerOptions options)
    {
        var entryId = String(item, "entryId") ?? throw new BadHttpRequestException("A bulk delivery entry has no 'entryId'.");
        var contentType = String(item, "contentType") ?? "";
        var metadata = Map(item, "metadata");
        var rawEvent = item.TryGetProperty("event", out var e) ? e.Clone() : default;

        CloudEventEnvelope? cloudEvent = null;
        CloudEventData data;
        string? error = null;
        switch (rawEvent.ValueKind)
        {
            case JsonValueKind.Object:
                if (!CloudEventParser.TryParse(rawEvent, out var envelope, out data, out var parseError))
                    error = parseError;
                else
                    cloudEvent = envelope;
                break;
            case JsonValueKind.String when CloudEventParser.IsMediaType(contentType, "application/octet-stream"):
                // Raw-payload subscriptions: the event is the published bytes, base64-encoded.
                data = rawEvent.TryGetBytesFromBase64(out var bytes)
                    ? new CloudEventData(bytes, contentType)
                    : new CloudEventData(Encoding.UTF8.GetBytes(rawEvent.GetString()!), contentType);
                break;
            case JsonValueKind.String:
                data = new CloudEventData(Encoding.UTF8.GetBytes(rawEvent.GetString()!), contentType);
                break;
            default:
                data = default;
                error = "the entry has no event";
                break;
        }

        var value = default(TData);
        if (error is null)
        {
            try
            {
                value = CloudEventDataReader.Read<TData>(data, options);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or FormatException)
            {
                error = $"the event data is not readable as {typeof(TData).Name}: {ex.Message}";
            }
        }
        return new BulkSubscribeMessageEntry<TData>(entryId, contentType, metadata, cloudEvent, value, rawEvent, error);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, string> Map(JsonElement element, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object)
            foreach (var property in value.EnumerateObject())
                map[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        return map;
    }
}

/// <summary>
/// One event of a bulk delivery. <see cref="CloudEvent"/> is null for raw-payload subscriptions. When the data could
/// not be read, <see cref="Data"/> is default and <see cref="DataError"/> says why, so one bad entry can be answered
/// DROP without failing the batch.
/// </summary>
public sealed record BulkSubscribeMessageEntry<TData>(
    string EntryId,
    string ContentType,
    IReadOnlyDictionary<string, string> Metadata,
    CloudEventEnvelope? CloudEvent,
    TData? Data,
    JsonElement Event,
    string? DataError = null);

/// <summary>A bulk delivery whatever its data type: what endpoint filters (metrics, lanes) read of it.</summary>
public interface IBulkSubscribeMessage
{
    IEnumerable<CloudEventEnvelope?> CloudEvents { get; }
}
