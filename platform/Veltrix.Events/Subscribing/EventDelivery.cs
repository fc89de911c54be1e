using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Veltrix.Events.Publishing;
using Veltrix.ServiceDefaults;
using Veltrix.ServiceDefaults.CloudEvents;

namespace Veltrix.Events.Subscribing;

/// <summary>The answer to a single delivery, as daprd reads it: <c>{"status":"SUCCESS"|"RETRY"|"DROP"}</c>.</summary>
internal sealed record TopicStatus(string Status)
{
    public static IResult Answer(BulkSubscribeAppResponseStatus status) => Results.Json(new TopicStatus(status.ToString()), EventsJson.Default.TopicStatus);
}

/// <summary>
/// Turns what the sidecar delivers on a consumer's route into one call of its typed handler, and answers the sidecar:
/// <list type="bullet">
/// <item>a bulk delivery (the SDK's <see cref="BulkSubscribeMessage{TValue}"/>, content type <c>application/json</c>) →
/// the readable entries as one batch → <see cref="BulkSubscribeAppResponse"/> with a status per entry;</item>
/// <item>a single delivery (unwrapped by the SDK's <c>UseCloudEvents</c>, the envelope's attributes in <c>Cloudevent.*</c>
/// headers) → a batch of one → <c>{"status": …}</c>.</item>
/// </list>
/// An entry whose data cannot be read, or that makes the handler throw while the rest of its batch does not, is answered
/// DROP on its own (dead-letter topic if there is one) and never fails the rest of its batch. Every delivered event is counted by the configuration version that routed it.
/// </summary>
internal sealed class EventDelivery<TData>(string type, TypedHandler<TData> handler, RoutingMetrics metrics, ILogger logger)
{
    private JsonTypeInfo<TData>? _data;

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        var dataType = _data ??= (JsonTypeInfo<TData>)context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.GetTypeInfo(typeof(TData));
        // UseCloudEvents forwards the envelope's id for a single delivery; a bulk delivery arrives as plain JSON without it.
        if (context.Request.Headers.ContainsKey(CloudEventHeaders.Id)) return await SingleAsync(context, dataType);
        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            // Not JSON at all (a raw payload from another producer): it will never be readable.
            metrics.Received(type, "none", "none");
            LogUnreadable(logger, type, "-", e.Message);
            return TopicStatus.Answer(BulkSubscribeAppResponseStatus.DROP);
        }
        using var _ = body;
        var root = body.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("entries", out var entries) && entries.ValueKind == JsonValueKind.Array)
            return await BulkAsync(context, Text(root, "topic"), entries, dataType);
        // A raw payload (rawPayload: true): the message itself, which for a Veltrix producer is the CloudEvent.
        var incoming = Read(root, entryId: null, dataType);
        metrics.Received(type, incoming?.Configuration ?? "none", incoming?.Version ?? "none");
        if (incoming is null) return TopicStatus.Answer(BulkSubscribeAppResponseStatus.DROP);
        return TopicStatus.Answer((await AnswerTracedAsync(context, Text(root, "topic") ?? type, [incoming], [root]))[0]);
    }

    private async Task<IResult> SingleAsync(HttpContext context, JsonTypeInfo<TData> dataType)
    {
        var headers = context.Request.Headers;
        var id = headers[CloudEventHeaders.Id].ToString();
        var configuration = Header(headers, RoutedEventExtensions.Configuration);
        var version = Header(headers, RoutedEventExtensions.Version);
        metrics.Received(type, configuration ?? "none", version ?? "none");
        TData? data;
        try
        {
            data = await JsonSerializer.DeserializeAsync(context.Request.Body, dataType, context.RequestAborted);
        }
        catch (JsonException e)
        {
            LogUnreadable(logger, type, id, e.Message);
            return TopicStatus.Answer(BulkSubscribeAppResponseStatus.DROP);
        }
        if (data is null)
        {
            LogUnreadable(logger, type, id, "no data");
            return TopicStatus.Answer(BulkSubscribeAppResponseStatus.DROP);
        }
        // ASP.NET Core's span of this request already continues the delivery's traceparent header: it is the event's span.
        var statuses = await AnswerEachAsync(context, [new IncomingEvent<TData>(id, id, data, configuration, version) { Trace = Activity.Current?.Context ?? default }]);
        return TopicStatus.Answer(statuses[0]);
    }

    /// <summary>
    /// The entries of a bulk delivery (the SDK's <see cref="BulkSubscribeMessage{TValue}"/>), read where they lie in the
    /// one parsed body: deserialising the message into the SDK's type would parse the body a second time and copy every
    /// entry's event into a document of its own.
    /// </summary>
    private async Task<IResult> BulkAsync(HttpContext context, string? topic, JsonElement entries, JsonTypeInfo<TData> dataType)
    {
        var count = entries.GetArrayLength();
        var entryIds = new string?[count];
        var statuses = new BulkSubscribeAppResponseStatus[count];
        var batch = new List<IncomingEvent<TData>>(count);
        var envelopes = new List<JsonElement>(count);
        var positions = new List<int>(count);
        var i = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            var isObject = entry.ValueKind == JsonValueKind.Object;
            entryIds[i] = isObject && entry.TryGetProperty("entryId", out var entryId) && entryId.ValueKind == JsonValueKind.String ? entryId.GetString() : null;
            var envelope = isObject && entry.TryGetProperty("event", out var value) ? value : default;
            var incoming = Read(envelope, entryIds[i], dataType);
            metrics.Received(type, incoming?.Configuration ?? "none", incoming?.Version ?? "none");
            if (incoming is null) statuses[i] = BulkSubscribeAppResponseStatus.DROP;
            else
            {
                batch.Add(incoming);
                envelopes.Add(envelope);
                positions.Add(i);
            }
            i++;
        }
        if (batch.Count > 0)
        {
            var answered = await AnswerTracedAsync(context, topic ?? type, batch, envelopes);
            for (var j = 0; j < answered.Length; j++) statuses[positions[j]] = answered[j];
        }
        var response = new BulkSubscribeAppResponse([.. entryIds.Select((id, k) => new BulkSubscribeAppResponseEntry(id, statuses[k]))]);
        return Results.Json(response, EventsJson.Default.BulkSubscribeAppResponse);
    }

    /// <summary>
    /// <see cref="AnswerEachAsync"/> inside one process span per event, each continuing the <c>traceparent</c> of the event's
    /// own CloudEvent (<paramref name="envelopes"/>, in the order of <paramref name="batch"/>): see <see cref="DeliveryTracing"/>.
    /// </summary>
    private async Task<BulkSubscribeAppResponseStatus[]> AnswerTracedAsync(HttpContext context, string topic, List<IncomingEvent<TData>> batch, IReadOnlyList<JsonElement> envelopes)
    {
        var spans = new Activity?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var envelope = envelopes[i];
            if (envelope.ValueKind != JsonValueKind.Object) continue;
            var traceParent = Text(envelope, "traceparent");
            var traceState = Text(envelope, "tracestate");
            spans[i] = DeliveryTracing.StartProcess(topic, batch[i].Id, type, traceParent, traceState);
            // Unsampled or unheard, the event's own context still travels on to what it causes.
            var trace = spans[i]?.Context
                ?? (ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent) ? parent : default);
            batch[i] = batch[i] with { Trace = trace };
        }
        var statuses = Array.Empty<BulkSubscribeAppResponseStatus>();
        try
        {
            statuses = await AnswerEachAsync(context, batch);
            return statuses;
        }
        finally
        {
            for (var i = 0; i < spans.Length; i++)
                DeliveryTracing.Stop(spans[i], i < statuses.Length ? statuses[i].ToString() : "ERROR");
        }
    }

    /// <summary>
    /// The handler's statuses for <paramref name="batch"/>, even when it throws. A failure of the infrastructure (the
    /// sidecar or a store unreachable, a lost compare-and-swap: <see cref="InfrastructureFailure"/>) is answered RETRY for
    /// the entries it hit, never DROP — the cause is not in them. A batch that throws for another reason is split in
    /// halves until the entries that throw on their own are found: those are answered DROP (dead-letter topic) with one
    /// log line each, and every other entry gets the handler's own answer — one poison event costs one dead letter, never
    /// the batch. When every entry throws on its own the cause is not in the entries either: all are answered RETRY, with
    /// one log line, and the sidecar's retry policy decides what happens next. A lone event that throws is answered RETRY
    /// for the same reason: alone it cannot be told from an outage.
    /// </summary>
    private async Task<BulkSubscribeAppResponseStatus[]> AnswerEachAsync(HttpContext context, IReadOnlyList<IncomingEvent<TData>> batch)
    {
        try
        {
            return await handler.InvokeAsync(context, batch);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            if (InfrastructureFailure.Is(e))
            {
                DeliveryLog.HandlerFailed(logger, type, batch.Count, e.GetType().Name, e.Message);
                return [.. batch.Select(_ => BulkSubscribeAppResponseStatus.RETRY)];
            }
            var statuses = new BulkSubscribeAppResponseStatus?[batch.Count];
            var failures = new List<(int Index, Exception Error)>();
            if (batch.Count == 1) failures.Add((0, e));
            else
            {
                var half = batch.Count / 2;
                await IsolateAsync(context, batch, 0, half, statuses, failures);
                await IsolateAsync(context, batch, half, batch.Count - half, statuses, failures);
            }
            if (failures.Count == batch.Count)
            {
                DeliveryLog.HandlerFailed(logger, type, batch.Count, e.GetType().Name, e.Message);
                return [.. batch.Select(_ => BulkSubscribeAppResponseStatus.RETRY)];
            }
            foreach (var (index, error) in failures)
            {
                if (InfrastructureFailure.Is(error))
                {
                    statuses[index] = BulkSubscribeAppResponseStatus.RETRY;
                    continue;
                }
                DeliveryLog.Poison(logger, type, Ids.Printable(batch[index].Id), error.GetType().Name, error.Message);
                statuses[index] = BulkSubscribeAppResponseStatus.DROP;
            }
            return [.. statuses.Select(status => status!.Value)];
        }
    }

    private async Task IsolateAsync(HttpContext context, IReadOnlyList<IncomingEvent<TData>> batch, int start, int count,
        BulkSubscribeAppResponseStatus?[] statuses, List<(int Index, Exception Error)> failures)
    {
        var part = new IncomingEvent<TData>[count];
        for (var i = 0; i < count; i++) part[i] = batch[start + i];
        try
        {
            var answered = await handler.InvokeAsync(context, part);
            for (var i = 0; i < count; i++) statuses[start + i] = answered[i];
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            if (count == 1 || InfrastructureFailure.Is(e))
            {
                // A transient failure is the whole part's to retry: splitting it further only calls a sidecar that is down again.
                for (var i = 0; i < count; i++) failures.Add((start + i, e));
                return;
            }
            var half = count / 2;
            await IsolateAsync(context, batch, start, half, statuses, failures);
            await IsolateAsync(context, batch, start + half, count - half, statuses, failures);
        }
    }

    /// <summary>
    /// One event from a bulk entry or a raw payload: a CloudEvent (its id, data and Veltrix extensions) or, without
    /// <c>specversion</c>, the data itself. Null when the data cannot be read as <typeparamref name="TData"/>.
    /// </summary>
    private IncomingEvent<TData>? Read(JsonElement element, string? entryId, JsonTypeInfo<TData> dataType)
    {
        string? id = null, configuration = null, version = null;
        var data = element;
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("specversion", out _))
        {
            id = Text(element, "id");
            configuration = Text(element, RoutedEventExtensions.Configuration);
            version = Text(element, RoutedEventExtensions.Version);
            data = element.TryGetProperty("data", out var d) ? d : default;
        }
        id ??= entryId ?? "";
        try
        {
            if (data.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) throw new JsonException("no data");
            var value = data.Deserialize(dataType) ?? throw new JsonException("no data");
            return new IncomingEvent<TData>(entryId ?? id, id, value, configuration, version);
        }
        catch (JsonException e)
        {
            LogUnreadable(logger, type, entryId ?? id, e.Message);
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() : null;

    private static string? Header(IHeaderDictionary headers, string extension) =>
        headers.TryGetValue(CloudEventHeaders.For(extension), out var value) && value.Count > 0 ? value.ToString().Trim('"') : null;

    private static void LogUnreadable(ILogger logger, string type, string entryId, string reason) => DeliveryLog.Unreadable(logger, type, entryId, reason);
}

internal static partial class DeliveryLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Type} {EntryId} cannot be read and is dropped: {Reason}")]
    public static partial void Unreadable(ILogger logger, string type, string entryId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Type} {EventId} fails the handler on its own and is dropped (dead-letter topic): {Error}: {Reason}")]
    public static partial void Poison(ILogger logger, string type, string eventId, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the handler of {Type} failed for each of {Count} events, which are retried: {Error}: {Reason}")]
    public static partial void HandlerFailed(ILogger logger, string type, int count, string error, string reason);
}
