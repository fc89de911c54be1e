using System.Text.Json;
using Dapr.AspNetCore;
using Dapr.Client;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Veltrix.Events.Publishing;
using Veltrix.Events.Subscribing;
using Veltrix.ServiceDefaults.CloudEvents;

namespace Veltrix.Events;

/// <summary>A dead letter kept by its owner: the event as it arrived, for inspection and replay.</summary>
public sealed record ParkedDeadLetter(string Type, string EventId, string? Topic, JsonElement Data, DateTimeOffset ParkedAt);

/// <summary>
/// The owner's side of a dead-letter topic: every dead letter is parked in the owner's state store under
/// `deadletter-{type}-{event id}` before the delivery is acknowledged, so nothing that failed for good is lost. Parking
/// is idempotent: a redelivered dead letter has the same id and overwrites its own key with the same event.
/// </summary>
internal static partial class DeadLetterParking
{
    public static async Task<IResult> ParkAsync(string type, string store, HttpContext context, DaprClient dapr, RoutingMetrics metrics, TimeProvider time, ILogger logger)
    {
        // UseCloudEvents has unwrapped the body to the event's data and forwarded the envelope's attributes as headers.
        var headers = context.Request.Headers;
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var id = headers[CloudEventHeaders.Id] is { Count: > 0 } header ? header.ToString() : Guid.NewGuid().ToString("n");
        var topic = headers[CloudEventHeaders.Topic] is { Count: > 0 } t ? t.ToString() : null;
        var parked = new ParkedDeadLetter(type, id, topic, body.RootElement.Clone(), time.GetUtcNow());
        await dapr.SaveStateAsync(store, $"deadletter-{type}-{id}", parked, cancellationToken: context.RequestAborted);
        metrics.DeadLetterParked(type);
        LogParked(logger, type, id);
        return TopicStatus.Answer(BulkSubscribeAppResponseStatus.SUCCESS);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter of {Type} parked: {EventId}")]
    private static partial void LogParked(ILogger logger, string type, string eventId);
}
