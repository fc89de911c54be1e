using System.Text.Json;
using Dapr.AspNetCore;
using Veltrix.Events.Subscribing;
using Veltrix.Prizes.Claims;
using Veltrix.Sagas;

namespace Veltrix.Prizes.Events;

/// <summary>Everything prizes subscribes to: scoring's answers to debits, handed to the waiting claim as an external event.</summary>
public static class PrizeSubscriptions
{
    /// <summary>Routes, topics and dead-letter topics come from the event configuration (events/).</summary>
    public static IEndpointRouteBuilder MapPrizeSubscriptions(this WebApplication app) =>
        app.MapEventSubscriptions(events => events.Handle<DebitSettled>(EventTypes.DebitSettled, HandleSettledAsync));

    private static async Task<BulkSubscribeAppResponseStatus[]> HandleSettledAsync(IReadOnlyList<IncomingEvent<DebitSettled>> batch, SagaClient sagas,
        ILogger<SagaClient> logger, CancellationToken cancellationToken)
    {
        var statuses = new BulkSubscribeAppResponseStatus[batch.Count];
        for (var i = 0; i < batch.Count; i++) statuses[i] = await HandleAsync(batch[i], sagas, logger, cancellationToken);
        return statuses;
    }

    private static async Task<BulkSubscribeAppResponseStatus> HandleAsync(IncomingEvent<DebitSettled> incoming, SagaClient sagas, ILogger logger,
        CancellationToken cancellationToken)
    {
        var settled = incoming.Data;
        if (settled is not { ReplyTo.Length: > 0, DebitId.Length: > 0, Outcome.Length: > 0 })
        {
            logger.LogWarning("points.debit.settled without replyTo, debitId or outcome is dropped");
            return BulkSubscribeAppResponseStatus.DROP;
        }
        try
        {
            // The CloudEvent id is the same on every repeat of the answer: the instance consumes it once.
            var payload = JsonSerializer.SerializeToElement(settled, PrizesJson.Default.DebitSettled);
            await sagas.RaiseEventAsync(settled.ReplyTo, ClaimSaga.DebitSettledEvent, payload, incoming.Id, cancellationToken);
            return BulkSubscribeAppResponseStatus.SUCCESS;
        }
        catch (SagaRequestException e) when (e.Code == SagaErrorCodes.InstanceNotFound)
        {
            return BulkSubscribeAppResponseStatus.SUCCESS; // purged, or another app's request: nothing waits for it
        }
        catch (SagaRequestException e) when (e.Status >= 429)
        {
            return BulkSubscribeAppResponseStatus.RETRY;
        }
    }
}
