using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Veltrix.Dapr.Serialization;

namespace Veltrix.Dapr.Client;

public partial class DaprClient
{
    /// <summary>Publishes an event with no data.</summary>
    public virtual Task PublishEventAsync(string pubsubName, string topicName, CancellationToken cancellationToken = default) =>
        PublishCoreAsync(pubsubName, topicName, null, null, cancellationToken);

    /// <summary>Publishes <paramref name="data"/> as JSON; the sidecar wraps it in a CloudEvent (<c>datacontenttype: application/json</c>).</summary>
    public virtual Task PublishEventAsync<TData>(string pubsubName, string topicName, TData data, CancellationToken cancellationToken = default) =>
        PublishEventAsync(pubsubName, topicName, data, TypeInfo<TData>(), null, cancellationToken);

    /// <summary>Publishes JSON with publish metadata (see <see cref="PubSubMetadata"/> for well-known keys).</summary>
    public virtual Task PublishEventAsync<TData>(string pubsubName, string topicName, TData data, IReadOnlyDictionary<string, string>? metadata,
        CancellationToken cancellationToken = default) =>
        PublishEventAsync(pubsubName, topicName, data, TypeInfo<TData>(), metadata, cancellationToken);

    /// <summary>Publishes JSON serialised with source-generated metadata.</summary>
    public virtual Task PublishEventAsync<TData>(string pubsubName, string topicName, TData data, JsonTypeInfo<TData> jsonTypeInfo,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonTypeInfo);
        var content = JsonContent(JsonSerializer.SerializeToUtf8Bytes(data, jsonTypeInfo));
        return PublishCoreAsync(pubsubName, topicName, content, metadata, cancellationToken);
    }

    /// <summary>
    /// Publishes bytes as they are with their content type: JSON is embedded as <c>data</c>, <c>application/octet-stream</c>
    /// as <c>data_base64</c>, anything else as a string; <c>application/cloudevents+json</c> publishes your own envelope.
    /// </summary>
    public virtual Task PublishByteEventAsync(string pubsubName, string topicName, ReadOnlyMemory<byte> data, string dataContentType = "application/json",
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataContentType);
        var content = new ReadOnlyMemoryContent(data);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(dataContentType);
        return PublishCoreAsync(pubsubName, topicName, content, metadata, cancellationToken);
    }

    private async Task PublishCoreAsync(string pubsubName, string topicName, HttpContent? content, IReadOnlyDictionary<string, string>? metadata,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pubsubName);
        ArgumentException.ThrowIfNullOrEmpty(topicName);
        var request = CreateRequest(HttpMethod.Post, DaprRequestUris.Publish(pubsubName, topicName, metadata), content);
        await SendExpectingNoContentAsync(request, $"Publishing to topic '{topicName}' on pub/sub '{pubsubName}'", cancellationToken);
    }

    /// <summary>Publishes many JSON events in one call; entry ids are their list positions ("0", "1", …).</summary>
    public virtual Task<BulkPublishResponse<TValue>> BulkPublishEventAsync<TValue>(string pubsubName, string topicName, IReadOnlyList<TValue> events,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var entries = new BulkPublishEntry<TValue>[events.Count];
        for (var i = 0; i < events.Count; i++)
            entries[i] = new BulkPublishEntry<TValue>(i.ToString(System.Globalization.CultureInfo.InvariantCulture), events[i]);
        return BulkPublishEventAsync(pubsubName, topicName, entries, metadata, cancellationToken);
    }

    /// <summary>
    /// Publishes entries with their own ids, content types and metadata. Per-entry broker failures come back in
    /// <see cref="BulkPublishResponse{TValue}.FailedEntries"/>; anything else (unknown pub/sub, bad request) throws.
    /// </summary>
    public virtual Task<BulkPublishResponse<TValue>> BulkPublishEventAsync<TValue>(string pubsubName, string topicName,
        IReadOnlyList<BulkPublishEntry<TValue>> entries, IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default) =>
        BulkPublishEventAsync(pubsubName, topicName, entries, TypeInfo<TValue>(), metadata, cancellationToken);

    /// <summary>Bulk publish with source-generated serialisation of the events.</summary>
    public virtual async Task<BulkPublishResponse<TValue>> BulkPublishEventAsync<TValue>(string pubsubName, string topicName,
        IReadOnlyList<BulkPublishEntry<TValue>> entries, JsonTypeInfo<TValue> jsonTypeInfo, IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pubsubName);
        ArgumentException.ThrowIfNullOrEmpty(topicName);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(jsonTypeInfo);

        var byId = new Dictionary<string, BulkPublishEntry<TValue>>(entries.Count, StringComparer.Ordinal);
        var wire = new BulkPublishRequestEntry[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            // The sidecar refuses the whole request for a duplicate id; saying which one here is kinder.
            if (!byId.TryAdd(entry.EntryId, entry))
                throw new ArgumentException($"Bulk publish entry id '{entry.EntryId}' appears more than once; entry ids must be unique.", nameof(entries));
            wire[i] = new BulkPublishRequestEntry(entry.EntryId, JsonSerializer.SerializeToElement(entry.EventData, jsonTypeInfo), entry.ContentType, entry.Metadata);
        }

        var operation = $"Bulk publishing {entries.Count} events to topic '{topicName}' on pub/sub '{pubsubName}'";
        using var request = CreateRequest(HttpMethod.Post, DaprRequestUris.BulkPublish(pubsubName, topicName, metadata),
            JsonContent(JsonSerializer.SerializeToUtf8Bytes(wire, DaprJsonContext.Default.BulkPublishRequestEntryArray)));
        using var response = await SendAsync(request, operation, cancellationToken);
        if (response.IsSuccessStatusCode) return new BulkPublishResponse<TValue>([]);

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.InternalServerError && TryReadFailures(body, byId) is { Count: > 0 } failures)
            return new BulkPublishResponse<TValue>(failures);
        throw DaprErrorParser.Create(response.StatusCode, body, operation);
    }

    private static List<BulkPublishResponseFailedEntry<TValue>>? TryReadFailures<TValue>(string body, Dictionary<string, BulkPublishEntry<TValue>> byId)
    {
        BulkPublishFailureBody? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, DaprJsonContext.Default.BulkPublishFailureBody);
        }
        catch (JsonException)
        {
            return null;
        }
        if (parsed?.FailedEntries is not { Count: > 0 } failed) return null;

        var result = new List<BulkPublishResponseFailedEntry<TValue>>(failed.Count);
        foreach (var item in failed)
        {
            // An id we never sent cannot be mapped back to an entry; the sidecar does not produce those.
            if (item.EntryId is not null && byId.TryGetValue(item.EntryId, out var entry))
                result.Add(new BulkPublishResponseFailedEntry<TValue>(entry, item.Error ?? parsed.ErrorCode ?? "unknown error"));
        }
        return result;
    }
}
