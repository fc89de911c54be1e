using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Veltrix.Dapr.AspNetCore;

/// <summary>
/// Unwraps <c>application/cloudevents+json</c> requests: the handler's body becomes the event's data (with its
/// <c>datacontenttype</c>) and the envelope goes to <see cref="ICloudEventFeature"/>. Other requests pass through.
/// </summary>
internal sealed partial class CloudEventsMiddleware(RequestDelegate next, ILogger<CloudEventsMiddleware> logger)
{
    private const string CloudEventsContentType = "application/cloudevents+json";

    public async Task InvokeAsync(HttpContext context)
    {
        // Attribute-only topic endpoints have no filter; check the app token before reading a byte of the body.
        if (!await DaprAppTokenFallback.CheckAsync(context)) return;

        var request = context.Request;
        if (!CloudEventParser.IsMediaType(request.ContentType, CloudEventsContentType))
        {
            await next(context);
            return;
        }

        CloudEventEnvelope envelope;
        CloudEventData data;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, default, context.RequestAborted);
            if (!CloudEventParser.TryParse(document.RootElement, out envelope, out data, out var error))
            {
                await DropAsync(context, error);
                return;
            }
        }
        catch (JsonException e)
        {
            await DropAsync(context, "the body is not JSON: " + e.Message);
            return;
        }

        var originalBody = request.Body;
        var originalContentType = request.ContentType;
        var originalLength = request.ContentLength;
        request.Body = new MemoryStream(data.Body.ToArray(), writable: false);
        request.ContentLength = data.Body.Length;
        request.ContentType = data.ContentType;
        context.Features.Set<ICloudEventFeature>(new CloudEventFeature(envelope));
        try
        {
            await next(context);
        }
        finally
        {
            // Put the request back as Kestrel made it: later middleware and logging see the real request.
            request.Body = originalBody;
            request.ContentType = originalContentType;
            request.ContentLength = originalLength;
        }
    }

    /// <summary>
    /// A malformed envelope will not improve with retries, so it is dropped (the sidecar forwards it to the
    /// dead-letter topic if one is set) rather than retried forever; the warning says why.
    /// </summary>
    private Task DropAsync(HttpContext context, string reason)
    {
        LogDropped(logger, context.Request.Path, reason);
        return TopicResults.Drop().ExecuteAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropping the CloudEvent delivered to {Path}: {Reason}")]
    private static partial void LogDropped(ILogger logger, PathString path, string reason);
}
