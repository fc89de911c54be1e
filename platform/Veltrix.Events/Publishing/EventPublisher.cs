using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Veltrix.Dapr.Client;
using Veltrix.Events.Checks;
using Veltrix.Events.Model;
using Veltrix.Events.Routing;

namespace Veltrix.Events.Publishing;

/// <summary>
/// Publishes by event type. The route — pub/sub, topic, partition key, TTL — and the version stamp come from the
/// active configuration, read once per call, so a batch is routed under exactly one version. No topic string lives
/// in a service.
/// </summary>
public sealed class EventPublisher(DaprClient dapr, ActiveRouting routing, RoutingMetrics metrics, string appId)
{
    public string AppId => appId;

    /// <summary>
    /// Publishes <paramref name="events"/> of <paramref name="type"/> in one bulk call under the active version. Entries
    /// the broker refused come back (by entry id) for the caller to retry; everything else was accepted.
    /// </summary>
    public Task<IReadOnlyList<(string EntryId, string Error)>> PublishAsync<TData>(string type, IReadOnlyList<OutgoingEvent<TData>> events,
        JsonTypeInfo<RoutedEvent<TData>> typeInfo, CancellationToken cancellationToken) =>
        PublishAsync(routing.Current, type, events, typeInfo, cancellationToken);

    /// <summary>Publishes one event under the active version; a refusal by the broker throws, for the caller's retry to take over.</summary>
    public async Task PublishOneAsync<TData>(string type, string id, TData data, JsonTypeInfo<RoutedEvent<TData>> typeInfo, CancellationToken cancellationToken)
    {
        var failures = await PublishAsync(type, [new OutgoingEvent<TData>(id, data)], typeInfo, cancellationToken);
        if (failures.Count > 0) throw new Veltrix.Dapr.DaprException($"{type} {id} was not accepted by the broker: {failures[0].Error}");
    }

    /// <summary>Publishes under <paramref name="table"/>: the version the caller already validated the events against.</summary>
    public async Task<IReadOnlyList<(string EntryId, string Error)>> PublishAsync<TData>(RoutingTable table, string type, IReadOnlyList<OutgoingEvent<TData>> events,
        JsonTypeInfo<RoutedEvent<TData>> typeInfo, CancellationToken cancellationToken)
    {
        if (events.Count == 0) return [];
        var definition = Route(table, type);
        // The ordering key's property is looked up once per call, not once per event.
        var orderingKey = definition.OrderingKey is null ? null
            : typeInfo.Options.GetTypeInfo(typeof(TData)).Properties.FirstOrDefault(p => p.Name == definition.OrderingKey);
        var entries = new BulkPublishEntry<RoutedEvent<TData>>[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var envelope = new RoutedEvent<TData>("1.0", e.Id, appId, type, "application/json", table.Name, table.Version, e.Data);
            entries[i] = new BulkPublishEntry<RoutedEvent<TData>>(e.EntryId ?? e.Id, envelope, "application/cloudevents+json", PartitionKey(definition.OrderingKey, orderingKey, e.Data));
        }
        var metadata = definition.Ttl is { } ttl
            ? new Dictionary<string, string> { ["ttlInSeconds"] = ((long)ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture) }
            : null;
        var response = await dapr.BulkPublishEventAsync(definition.PubSub, definition.Topic, entries, typeInfo, metadata, cancellationToken);
        metrics.Routed(type, definition.Topic, table.Name, table.Version, events.Count - response.FailedEntries.Count);
        return response.FailedEntries.Select(f => (f.Entry.EntryId, f.ErrorMessage)).ToList();
    }

    private EventDefinition Route(RoutingTable table, string type)
    {
        var definition = table.Find(type)
            ?? throw new EventRoutingException(EventErrorCodes.NotDeclared, $"event type '{type}' is not declared in {table.Label}",
                "declare it in events/*.yaml, apply and activate the new version (veltrix config apply / activate)");
        if (!definition.Producers.Contains(appId, StringComparer.Ordinal))
            throw new EventRoutingException(EventErrorCodes.NotAProducer, $"app '{appId}' is not a producer of '{type}' in {table.Label} (producers: {string.Join(", ", definition.Producers)})",
                $"add '{appId}' to the producers of '{type}' in events/*.yaml, then apply and activate it");
        return definition;
    }

    /// <summary>
    /// The ordering key's value, read through the serializer's contract (the JSON property's getter) rather than by
    /// serializing the data; a JsonElement (the gateway's pass-through data) is read directly.
    /// </summary>
    private static Dictionary<string, string>? PartitionKey<TData>(string? field, JsonPropertyInfo? property, TData data)
    {
        if (field is null || data is null) return null;
        object? value;
        if (data is JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(field, out var json)) return null;
            value = json.ValueKind == JsonValueKind.String ? json.GetString() : json.GetRawText();
        }
        else
        {
            value = property?.Get?.Invoke(data);
        }
        return value is null ? null : new Dictionary<string, string> { ["partitionKey"] = Convert.ToString(value, CultureInfo.InvariantCulture)! };
    }
}
