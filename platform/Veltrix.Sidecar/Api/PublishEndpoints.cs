using System.Text;
using System.Text.Json;
using Veltrix.Sidecar.CloudEvents;
using Veltrix.Sidecar.Components.PubSub;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Api;

/// <summary>POST|PUT /v1.0/publish/{pubsub}/{topic} and bulk publish (contract §1).</summary>
public static class PublishEndpoints
{
    private static readonly string[] WriteMethods = ["POST", "PUT"];

    public static IEndpointRouteBuilder MapPublishApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/v1.0/publish/{pubsub}/{**topic}", WriteMethods, PublishAsync);
        endpoints.MapMethods("/v1.0-alpha1/publish/bulk/{pubsub}/{**topic}", WriteMethods, BulkPublishAsync);
        endpoints.MapMethods("/v1.0/publish/bulk/{pubsub}/{**topic}", WriteMethods, BulkPublishAsync);
        return endpoints;
    }

    private static async Task<IResult> PublishAsync(HttpContext context, SidecarRuntime runtime, TimeProvider time, string pubsub, string? topic)
    {
        var app = runtime.For(context);
        if (Resolve(app, pubsub, topic) is { } error) return error;
        var component = app.PubSubs[pubsub];
        var metadata = context.Request.QueryMetadata();
        if (RawPayload(metadata) is not { } raw) return BadMetadata(metadata);
        var body = await context.Request.ReadBodyAsync(context.RequestAborted);
        var contentType = context.Request.ContentType;
        var envelope = Context(context, app.AppId, pubsub, topic!, metadata, time);

        if (Envelope(raw, body, contentType, envelope) is not { } data) return CannotCreateCloudEvent(pubsub);
        try
        {
            await component.PublishAsync(new PubSubMessage(topic!, data, raw ? contentType ?? "application/octet-stream" : CloudEventEnvelope.CloudEventsContentType, metadata),
                context.RequestAborted);
        }
        catch (PublishException e)
        {
            return PublishFailed(pubsub, topic!, e.Message);
        }
        return Results.NoContent();
    }

    private static async Task<IResult> BulkPublishAsync(HttpContext context, SidecarRuntime runtime, TimeProvider time, string pubsub, string? topic)
    {
        var app = runtime.For(context);
        if (Resolve(app, pubsub, topic) is { } error) return error;
        var requestMetadata = context.Request.QueryMetadata();
        if (RawPayload(requestMetadata) is null) return BadMetadata(requestMetadata);
        List<BulkPublishEntry>? entries;
        try
        {
            entries = JsonSerializer.Deserialize(await context.Request.ReadBodyAsync(context.RequestAborted), SidecarJson.Default.ListBulkPublishEntry);
        }
        catch (JsonException e)
        {
            return EventsError("DAPR_PUBSUB_UNMARSHAL_EVENTS", pubsub, $"error when unmarshaling the request for topic {topic} pubsub {pubsub}: {e.Message}");
        }
        entries ??= [];

        var messages = new List<PubSubMessage>(entries.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (string.IsNullOrEmpty(entry.EntryId))
                return EventsError("DAPR_PUBSUB_MARSHAL_EVENTS", pubsub, "entryId is duplicated or not present for entry");
            if (!seen.Add(entry.EntryId))
                return EventsError("DAPR_PUBSUB_MARSHAL_EVENTS", pubsub, $"entryId {entry.EntryId} is duplicated or not present for entry");
            var contentType = string.IsNullOrEmpty(entry.ContentType) ? "application/json" : entry.ContentType;
            if (EventBytes(entry.Event, contentType) is not { } body)
                return EventsError("DAPR_PUBSUB_MARSHAL_EVENTS", pubsub,
                    $"error when marshaling message for entryId {entry.EntryId}: the event does not match content type {contentType}");
            var metadata = new Dictionary<string, string>(requestMetadata, StringComparer.Ordinal);
            foreach (var (key, value) in entry.Metadata ?? []) metadata[key] = value; // entry metadata wins
            if (RawPayload(metadata) is not { } raw) return BadMetadata(metadata);
            if (Envelope(raw, body, contentType, Context(context, app.AppId, pubsub, topic!, metadata, time)) is not { } data)
                return CannotCreateCloudEvent(pubsub);
            messages.Add(new PubSubMessage(topic!, data, raw ? contentType : CloudEventEnvelope.CloudEventsContentType, metadata));
        }

        var failures = await app.PubSubs[pubsub].BulkPublishAsync(messages, context.RequestAborted);
        if (failures.Count == 0) return Results.NoContent();
        var failed = failures.Select(f => new BulkPublishFailedEntry(entries[f.Index].EntryId!, f.Error)).ToList();
        return Results.Json(new BulkPublishErrorBody(failed, "ERR_PUBSUB_PUBLISH_MESSAGE"), SidecarJson.Default.BulkPublishErrorBody, statusCode: 500);
    }

    /// <summary>The bytes that go on the broker: raw as given, a completed CloudEvent, or a new envelope. Null: not a CloudEvent object.</summary>
    private static byte[]? Envelope(bool raw, byte[] body, string? contentType, EnvelopeContext envelope)
    {
        if (raw) return body;
        if (!CloudEventEnvelope.IsCloudEvent(contentType ?? "")) return CloudEventEnvelope.Wrap(body, contentType, envelope);
        try
        {
            return CloudEventEnvelope.Complete(body, envelope);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IResult CannotCreateCloudEvent(string pubsub) =>
        DaprErrors.Rich(500, "ERR_PUBSUB_CLOUD_EVENTS_SER", "DAPR_PUBSUB_CLOUD_EVENT_CREATION", "cannot create cloudevent", "pubsub", pubsub);

    /// <summary>Contract §1.4: the event's JSON value must fit its content type.</summary>
    private static byte[]? EventBytes(JsonElement value, string contentType)
    {
        var baseType = CloudEventEnvelope.BaseType(contentType);
        if (baseType.StartsWith("text/", StringComparison.Ordinal) || baseType == "application/xml")
            return value.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(value.GetString()!) : null;
        if (baseType == "application/octet-stream")
            return value.ValueKind == JsonValueKind.String && value.TryGetBytesFromBase64(out var bytes) ? bytes : null;
        if (baseType is "application/json" or "application/cloudevents+json")
            return value.ValueKind == JsonValueKind.Undefined ? null : Encoding.UTF8.GetBytes(value.GetRawText());
        return null;
    }

    private static IResult? Resolve(AppRuntime app, string pubsub, string? topic)
    {
        if (string.IsNullOrEmpty(pubsub)) return DaprErrors.Rich(404, "ERR_PUBSUB_EMPTY", "DAPR_PUBSUB_NAME_EMPTY", "pubsub name is empty");
        if (app.PubSubs.Count == 0) return DaprErrors.Rich(400, "ERR_PUBSUB_NOT_CONFIGURED", "DAPR_PUBSUB_NOT_CONFIGURED", "no pubsub is configured");
        if (!app.PubSubs.ContainsKey(pubsub)) return DaprErrors.PubSubNotFound(pubsub);
        if (string.IsNullOrEmpty(topic))
            return DaprErrors.Rich(404, "ERR_TOPIC_NAME_EMPTY", "DAPR_PUBSUB_TOPIC_NAME_EMPTY", $"topic is empty in pubsub {pubsub}", "pubsub", pubsub);
        return null;
    }

    private static bool? RawPayload(Dictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("rawPayload", out var text)) return false;
        return bool.TryParse(text, out var raw) ? raw : null;
    }

    private static IResult BadMetadata(Dictionary<string, string> metadata) =>
        DaprErrors.Rich(400, "ERR_PUBSUB_REQUEST_METADATA", "DAPR_PUBSUB_METADATA_DESERIALIZATION",
            $"failed deserializing metadata. Error: rawPayload value '{metadata["rawPayload"]}' is not a boolean");

    private static IResult EventsError(string reason, string pubsub, string message) =>
        DaprErrors.Rich(400, "ERR_PUBSUB_EVENTS_SER", reason, message, "pubsub", pubsub);

    private static IResult PublishFailed(string pubsub, string topic, string error) =>
        DaprErrors.Rich(500, "ERR_PUBSUB_PUBLISH_MESSAGE", "DAPR_PUBSUB_PUBLISH_MESSAGE", $"error when publishing to topic {topic} in pubsub {pubsub}: {error}",
            "pubsub", pubsub, new Dictionary<string, string> { ["topic"] = topic, ["error"] = error });

    private static EnvelopeContext Context(HttpContext context, string appId, string pubsub, string topic, IReadOnlyDictionary<string, string> metadata, TimeProvider time) =>
        new(appId, pubsub, topic, NonEmpty(context.Request.Headers["traceparent"].ToString()), NonEmpty(context.Request.Headers["tracestate"].ToString()),
            metadata, time.GetUtcNow());

    private static string? NonEmpty(string value) => value.Length == 0 ? null : value;
}
