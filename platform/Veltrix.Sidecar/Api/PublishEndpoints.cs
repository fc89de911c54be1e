using System.Text;
using System.Text.Json;
using Veltrix.Sidecar.CloudEvents;
using Veltrix.Sidecar.Operations;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Api;

/// <summary>
/// POST|PUT /v1.0/publish/{pubsub}/{topic} and bulk publish (contract §1): the HTTP front of <see cref="Publishing"/>,
/// which reads the request and maps the outcome to daprd's HTTP status codes and error bodies.
/// </summary>
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

    private static async Task<IResult> PublishAsync(HttpContext context, SidecarRuntime runtime, Publishing publishing, string pubsub, string? topic)
    {
        var app = runtime.For(context);
        var metadata = context.Request.QueryMetadata();
        if (Publishing.Check(app, pubsub, topic, metadata) is { } refused) return Map(refused);
        var body = await context.Request.ReadBodyAsync(context.RequestAborted);
        var (traceParent, traceState) = Trace(context);
        var request = new PublishRequest(pubsub, topic, body, context.Request.ContentType, metadata, traceParent, traceState);
        return await publishing.PublishAsync(app, request, context.RequestAborted) is { } error ? Map(error) : Results.NoContent();
    }

    private static async Task<IResult> BulkPublishAsync(HttpContext context, SidecarRuntime runtime, Publishing publishing, string pubsub, string? topic)
    {
        var app = runtime.For(context);
        var metadata = context.Request.QueryMetadata();
        if (Publishing.Check(app, pubsub, topic, metadata) is { } refused) return Map(refused); // before the body, as daprd
        List<BulkPublishEntry>? entries;
        try
        {
            entries = JsonSerializer.Deserialize(await context.Request.ReadBodyAsync(context.RequestAborted), SidecarJson.Default.ListBulkPublishEntry);
        }
        catch (JsonException e)
        {
            return DaprErrors.Rich(400, "ERR_PUBSUB_EVENTS_SER", "DAPR_PUBSUB_UNMARSHAL_EVENTS",
                $"error when unmarshaling the request for topic {topic} pubsub {pubsub}: {e.Message}", "pubsub", pubsub);
        }

        var items = (entries ?? []).Select(e => new BulkPublishItem(e.EntryId, EventBytes(e.Event, string.IsNullOrEmpty(e.ContentType) ? "application/json" : e.ContentType),
            e.ContentType, e.Metadata)).ToList();
        var (traceParent, traceState) = Trace(context);
        var (error, failed) = await publishing.BulkPublishAsync(app, new BulkPublishRequest(pubsub, topic, items, metadata, traceParent, traceState),
            context.RequestAborted);
        if (error is not null) return Map(error);
        if (failed.Count == 0) return Results.NoContent();
        return Results.Json(new BulkPublishErrorBody(failed.Select(f => new BulkPublishFailedEntry(f.EntryId, f.Error)).ToList(), "ERR_PUBSUB_PUBLISH_MESSAGE"),
            SidecarJson.Default.BulkPublishErrorBody, statusCode: 500);
    }

    /// <summary>daprd's HTTP answer for each refusal.</summary>
    private static IResult Map(PublishError error) => error.Kind switch
    {
        PublishErrorKind.PubSubNameEmpty => DaprErrors.Rich(404, "ERR_PUBSUB_EMPTY", "DAPR_PUBSUB_NAME_EMPTY", error.Message),
        PublishErrorKind.NoPubSubConfigured => DaprErrors.Rich(400, "ERR_PUBSUB_NOT_CONFIGURED", "DAPR_PUBSUB_NOT_CONFIGURED", "no pubsub is configured"),
        PublishErrorKind.PubSubNotFound => DaprErrors.PubSubNotFound(error.PubSub),
        PublishErrorKind.TopicEmpty => DaprErrors.Rich(404, "ERR_TOPIC_NAME_EMPTY", "DAPR_PUBSUB_TOPIC_NAME_EMPTY", error.Message, "pubsub", error.PubSub),
        PublishErrorKind.BadMetadata => DaprErrors.Rich(400, "ERR_PUBSUB_REQUEST_METADATA", "DAPR_PUBSUB_METADATA_DESERIALIZATION", error.Message),
        PublishErrorKind.BadEntryId or PublishErrorKind.EventDoesNotFitContentType =>
            DaprErrors.Rich(400, "ERR_PUBSUB_EVENTS_SER", "DAPR_PUBSUB_MARSHAL_EVENTS", error.Message, "pubsub", error.PubSub),
        PublishErrorKind.CannotCreateCloudEvent =>
            DaprErrors.Rich(500, "ERR_PUBSUB_CLOUD_EVENTS_SER", "DAPR_PUBSUB_CLOUD_EVENT_CREATION", error.Message, "pubsub", error.PubSub),
        _ => DaprErrors.Rich(500, "ERR_PUBSUB_PUBLISH_MESSAGE", "DAPR_PUBSUB_PUBLISH_MESSAGE", error.Message, "pubsub", error.PubSub,
            new Dictionary<string, string> { ["topic"] = error.Topic ?? "", ["error"] = error.BrokerError ?? "" }),
    };

    /// <summary>Contract §1.4: the event's JSON value must fit its content type.</summary>
    /// <remarks>Statements, not `cond ? bytes : null`: that expression is a byte[], and a null byte[] converts to an empty
    /// memory, not to "no event".</remarks>
    private static ReadOnlyMemory<byte>? EventBytes(JsonElement value, string contentType)
    {
        var baseType = CloudEventEnvelope.BaseType(contentType);
        if (baseType.StartsWith("text/", StringComparison.Ordinal) || baseType == "application/xml")
        {
            if (value.ValueKind != JsonValueKind.String) return null;
            return Encoding.UTF8.GetBytes(value.GetString()!);
        }
        if (baseType == "application/octet-stream")
        {
            if (value.ValueKind != JsonValueKind.String || !value.TryGetBytesFromBase64(out var bytes)) return null;
            return bytes;
        }
        if (baseType is "application/json" or "application/cloudevents+json")
        {
            if (value.ValueKind == JsonValueKind.Undefined) return null;
            return Encoding.UTF8.GetBytes(value.GetRawText());
        }
        return null;
    }

    private static (string? TraceParent, string? TraceState) Trace(HttpContext context) =>
        (context.Request.Headers["traceparent"].ToString(), context.Request.Headers["tracestate"].ToString());
}
