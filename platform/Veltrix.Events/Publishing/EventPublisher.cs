using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Dapr;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using Veltrix.Events.Checks;
using Veltrix.Events.Model;
using Veltrix.Events.Routing;
using Veltrix.Events.Subscribing;
using Veltrix.ServiceDefaults.Telemetry;

namespace Veltrix.Events.Publishing;

/// <summary>
/// Publishes by event type. The route — pub/sub, topic, partition key, TTL — and the version stamp come from the
/// active configuration, read once per call, so a batch is routed under exactly one version. No topic string lives
/// in a service. Each event travels as its own CloudEvent (content type <c>application/cloudevents+json</c>: the
/// sidecar keeps its id and extensions), with <c>partitionKey</c> as entry metadata and <c>ttlInSeconds</c> as request
/// metadata, in one bulk call (see <see cref="DaprBulkPublishClient"/> for why not the SDK's bulk publish).
/// Published and refused events are counted here, once (<c>veltrix_events_published</c>/<c>_publish_failed</c>).
/// </summary>
public sealed class EventPublisher(DaprBulkPublishClient sidecar, ActiveRouting routing, RoutingMetrics metrics, EventMetrics events, string appId)
{
    private const string CloudEventContentType = "application/cloudevents+json";

    public string AppId => appId;

    /// <summary>
    /// Publishes <paramref name="batch"/> of <paramref name="type"/> in one bulk call under the active version. Entries
    /// the broker refused come back (by entry id) for the caller to retry; everything else was accepted.
    /// </summary>
    public Task<IReadOnlyList<(string EntryId, string Error)>> PublishAsync<TData>(string type, IReadOnlyList<OutgoingEvent<TData>> batch,
        JsonTypeInfo<RoutedEvent<TData>> typeInfo, CancellationToken cancellationToken) =>
        PublishAsync(routing.Current, type, batch, typeInfo, cancellationToken);

    /// <summary>Publishes one event under the active version; a refusal by the broker throws, for the caller's retry to take over.</summary>
    public async Task PublishOneAsync<TData>(string type, string id, TData data, JsonTypeInfo<RoutedEvent<TData>> typeInfo, CancellationToken cancellationToken)
    {
        var failures = await PublishAsync(type, [new OutgoingEvent<TData>(id, data)], typeInfo, cancellationToken);
        // The refusal carries the status daprd gives a bulk publish it refused as a whole (Internal): the broker behind the
        // sidecar said "not now", so InfrastructureFailure sees it as one — a subscription answers RETRY, an endpoint 503 —
        // never as the event's fault or a bug (500).
        if (failures.Count > 0)
            throw new DaprException($"{type} {id} was not accepted by the broker: {failures[0].Error}",
                new RpcException(new Status(StatusCode.Internal, "the broker did not accept the event")));
    }

    /// <summary>Publishes under <paramref name="table"/>: the version the caller already validated the events against.</summary>
    public Task<IReadOnlyList<(string EntryId, string Error)>> PublishAsync<TData>(RoutingTable table, string type, IReadOnlyList<OutgoingEvent<TData>> batch,
        JsonTypeInfo<RoutedEvent<TData>> typeInfo, CancellationToken cancellationToken) =>
        batch.Count == 0 ? Task.FromResult<IReadOnlyList<(string, string)>>([]) : PublishAsync(table, Route(table, type, replay: false), type, batch, typeInfo, cancellationToken);

    /// <summary>
    /// Publishes dead letters of <paramref name="type"/> again under the active version. Allowed to the type's
    /// dead-letter owner as well as its producers: the owner parks them (it is usually a consumer, not a producer),
    /// and replaying what it parked is its job.
    /// </summary>
    public Task<IReadOnlyList<(string EntryId, string Error)>> ReplayAsync<TData>(string type, IReadOnlyList<OutgoingEvent<TData>> batch,
        JsonTypeInfo<RoutedEvent<TData>> typeInfo, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return Task.FromResult<IReadOnlyList<(string, string)>>([]);
        var table = routing.Current;
        return PublishAsync(table, Route(table, type, replay: true), type, batch, typeInfo, cancellationToken);
    }

    private async Task<IReadOnlyList<(string EntryId, string Error)>> PublishAsync<TData>(RoutingTable table, EventDefinition definition, string type,
        IReadOnlyList<OutgoingEvent<TData>> batch, JsonTypeInfo<RoutedEvent<TData>> typeInfo, CancellationToken cancellationToken)
    {
        // The ordering key's property is looked up once per call, not once per event.
        var orderingKey = definition.OrderingKey is null ? null
            : typeInfo.Options.GetTypeInfo(typeof(TData)).Properties.FirstOrDefault(p => p.Name == definition.OrderingKey);
        var request = new BulkPublishRequest { PubsubName = definition.PubSub, Topic = definition.Topic };
        if (definition.Ttl is { } ttl) request.Metadata["ttlInSeconds"] = ((long)ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        foreach (var e in batch)
        {
            var envelope = new RoutedEvent<TData>("1.0", e.Id, appId, type, "application/json", table.Name, table.Version, e.Data);
            if (e.Trace != default)
            {
                // The one bulk call carries one traceparent header; an event caused by another trace says so in its own envelope.
                var traceParent = DeliveryTracing.TraceParent(e.Trace);
                envelope = envelope with { TraceParent = traceParent, TraceId = traceParent, TraceState = e.Trace.TraceState };
            }
            var entry = new BulkPublishRequestEntry
            {
                EntryId = e.EntryId ?? e.Id,
                Event = UnsafeByteOperations.UnsafeWrap(JsonSerializer.SerializeToUtf8Bytes(envelope, typeInfo)),
                ContentType = CloudEventContentType,
            };
            if (PartitionKey(definition.OrderingKey, orderingKey, e.Data) is { } key) entry.Metadata["partitionKey"] = key;
            request.Entries.Add(entry);
        }
        var failed = await SendAsync(request, cancellationToken);
        metrics.Routed(type, definition.Topic, table.Name, table.Version, batch.Count - failed.Count);
        return failed;
    }

    /// <summary>
    /// Tells every app that <paramref name="activated"/> is now the active version: the change event
    /// (<see cref="EventSubscriptionMapping.ChangeTopic"/>) on each pub/sub of the configuration, through the same bulk
    /// path as every other event. A pub/sub that refuses it is reported, not thrown: apps find the version at their next check.
    /// </summary>
    public async Task<IReadOnlyList<(string PubSub, string Error)>> AnnounceActivationAsync(EventConfiguration configuration, ConfigurationActivated activated,
        CancellationToken cancellationToken)
    {
        var failures = new List<(string, string)>();
        foreach (var pubsub in configuration.Events.Select(e => e.PubSub).Distinct())
        {
            var envelope = new RoutedEvent<ConfigurationActivated>("1.0", $"activated:{activated.Name}:{activated.Version}", appId, EventSubscriptionMapping.ChangeTopic,
                "application/json", activated.Name, activated.Version, activated);
            var request = new BulkPublishRequest { PubsubName = pubsub, Topic = EventSubscriptionMapping.ChangeTopic };
            request.Entries.Add(new BulkPublishRequestEntry
            {
                EntryId = envelope.Id,
                Event = UnsafeByteOperations.UnsafeWrap(JsonSerializer.SerializeToUtf8Bytes(envelope, EventsJson.Default.RoutedEventConfigurationActivated)),
                ContentType = CloudEventContentType,
            });
            try
            {
                if (await SendAsync(request, cancellationToken) is [var failed, ..]) failures.Add((pubsub, failed.Error));
            }
            catch (DaprException e)
            {
                failures.Add((pubsub, e.InnerException?.Message ?? e.Message));
            }
        }
        return failures;
    }

    /// <summary>
    /// One bulk call; counts what the sidecar accepted and what it refused (all of it when the call fails). Like daprd, the
    /// sidecar answers a batch it refused as a whole with an error status rather than a list of failed entries; when that
    /// status says "not now" — a bound reached (ResourceExhausted) or the broker refused them (Internal) — every entry
    /// comes back refused, the same answer as a partial refusal, so the caller resends them. Any other failure (a wrong
    /// pub/sub, no sidecar) throws.
    /// </summary>
    private async Task<IReadOnlyList<(string EntryId, string Error)>> SendAsync(BulkPublishRequest request, CancellationToken cancellationToken)
    {
        BulkPublishResponse response;
        try
        {
            response = await sidecar.PublishAsync(request, cancellationToken);
        }
        catch (DaprException e) when (e.InnerException is RpcException { StatusCode: StatusCode.ResourceExhausted or StatusCode.Internal } refused)
        {
            events.PublishFailed(request.PubsubName, request.Topic, request.Entries.Count);
            return request.Entries.Select(entry => (entry.EntryId, refused.Status.Detail)).ToList();
        }
        catch
        {
            events.PublishFailed(request.PubsubName, request.Topic, request.Entries.Count);
            throw;
        }
        var failedCount = Math.Min(response.FailedEntries.Count, request.Entries.Count);
        events.Published(request.PubsubName, request.Topic, request.Entries.Count - failedCount);
        events.PublishFailed(request.PubsubName, request.Topic, failedCount);
        return response.FailedEntries.Select(f => (f.EntryId, f.Error)).ToList();
    }

    private EventDefinition Route(RoutingTable table, string type, bool replay)
    {
        var definition = table.Find(type)
            ?? throw new EventRoutingException(EventErrorCodes.NotDeclared, $"event type '{type}' is not declared in {table.Label}",
                "declare it in events/*.yaml, apply and activate the new version (veltrix config apply / activate)");
        if (replay && definition.DeadLetter?.Owner == appId) return definition;
        if (!definition.Producers.Contains(appId, StringComparer.Ordinal))
            throw new EventRoutingException(EventErrorCodes.NotAProducer, $"app '{appId}' is not a producer of '{type}' in {table.Label} (producers: {string.Join(", ", definition.Producers)})",
                $"add '{appId}' to the producers of '{type}' in events/*.yaml, then apply and activate it");
        return definition;
    }

    /// <summary>
    /// The ordering key's value, read through the serializer's contract (the JSON property's getter) rather than by
    /// serializing the data; a JsonElement (the gateway's pass-through data) is read directly.
    /// </summary>
    private static string? PartitionKey<TData>(string? field, JsonPropertyInfo? property, TData data)
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
        return value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
    }
}

/// <summary>The change event: which version is now active (published by control, handled by every app).</summary>
public sealed record ConfigurationActivated(string Name, int Version);
