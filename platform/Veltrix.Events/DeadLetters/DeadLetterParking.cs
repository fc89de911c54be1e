using System.Globalization;
using System.Text.Json;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Veltrix.Events.DeadLetters;
using Veltrix.Events.Publishing;
using Veltrix.Events.Subscribing;
using Veltrix.ServiceDefaults.CloudEvents;

namespace Veltrix.Events;

/// <summary>
/// The owner's side of a dead-letter topic: every dead letter is parked (<see cref="DeadLetterStore"/>) before the
/// delivery is acknowledged, so nothing that failed for good is lost, with the version it was routed under and the
/// cause when the sidecar gave one. Parking is idempotent: a redelivered dead letter has the same id.
/// </summary>
internal static partial class DeadLetterParking
{
    /// <summary>Why the dev sidecar dead-lettered the event (message metadata it adds; daprd gives no cause, so it is absent there).</summary>
    public const string DeadLetterCauseHeader = "veltrix-dead-letter-cause";

    public static async Task<IResult> ParkAsync(string type, HttpContext context, DeadLetterStore store, RoutingMetrics metrics, TimeProvider time, ILogger logger)
    {
        // UseCloudEvents has unwrapped the body to the event's data and forwarded the envelope's attributes as headers.
        var headers = context.Request.Headers;
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        string? Header(string name) => headers[name] is { Count: > 0 } value ? value.ToString() : null;
        var id = Header(CloudEventHeaders.Id) ?? Guid.NewGuid().ToString("n");
        var version = int.TryParse(Header(CloudEventHeaders.For(RoutedEventExtensions.Version)), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (int?)null;
        var parked = new ParkedDeadLetter(type, id, Header(CloudEventHeaders.Topic), body.RootElement.Clone(), time.GetUtcNow(),
            Header(CloudEventHeaders.For(RoutedEventExtensions.Configuration)), version, Header(DeadLetterCauseHeader));
        await store.ParkAsync(parked, context.RequestAborted);
        metrics.DeadLetterParked(type);
        LogParked(logger, type, id, parked.Cause ?? "no cause given");
        return TopicStatus.Answer(BulkSubscribeAppResponseStatus.SUCCESS);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter of {Type} parked: {EventId} ({Cause})")]
    private static partial void LogParked(ILogger logger, string type, string eventId, string cause);
}
