using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Dapr.Client;
using Veltrix.Events.Publishing;

namespace Veltrix.Events;

/// <summary>A dead letter kept by its owner: the event as it arrived, for inspection and replay.</summary>
public sealed record ParkedDeadLetter(string Type, string EventId, string? Topic, JsonElement Data, DateTimeOffset ParkedAt);

/// <summary>
/// The owner's side of a dead-letter topic: every dead letter is parked in the owner's state store under
/// `deadletter-{type}-{event id}` before the delivery is acknowledged, so nothing that failed for good is lost.
/// </summary>
internal static partial class DeadLetterParking
{
    public static async Task<IResult> ParkAsync(string type, string store, HttpContext context, DaprClient dapr, RoutingMetrics metrics, TimeProvider time, ILogger logger)
    {
        var envelope = context.Features.Get<ICloudEventFeature>()?.CloudEvent;
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var id = envelope?.Id ?? Guid.NewGuid().ToString("n");
        var parked = new ParkedDeadLetter(type, id, envelope?.Topic, body.RootElement.Clone(), time.GetUtcNow());
        await dapr.SaveStateAsync(store, $"deadletter-{type}-{id}", parked, EventsJson.Default.ParkedDeadLetter, cancellationToken: context.RequestAborted);
        metrics.DeadLetterParked(type);
        LogParked(logger, type, id);
        return TopicResults.Success();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter of {Type} parked: {EventId}")]
    private static partial void LogParked(ILogger logger, string type, string eventId);
}
