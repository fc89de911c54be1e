using System.Text.Json;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Prizes.Claims;
using Veltrix.Sagas;

namespace Veltrix.Prizes.Events;

/// <summary>Everything prizes subscribes to: scoring's answers to debits, handed to the waiting claim as an external event.</summary>
public static class PrizeSubscriptions
{
    /// <summary>Routes, topics and dead-letter topics come from the event configuration (events/).</summary>
    public static IEndpointRouteBuilder MapPrizeSubscriptions(this WebApplication app) =>
        app.MapEventSubscriptions(events => events.Handle(EventTypes.DebitSettled, HandleSettledAsync));

    private static async Task<IResult> HandleSettledAsync(DebitSettled settled, HttpContext http, SagaClient sagas, ILogger<SagaClient> logger,
        CancellationToken cancellationToken)
    {
        if (settled is not { ReplyTo.Length: > 0, DebitId.Length: > 0, Outcome.Length: > 0 })
        {
            logger.LogWarning("points.debit.settled without replyTo, debitId or outcome is dropped");
            return TopicResults.Drop();
        }
        try
        {
            // The CloudEvent id is the same on every repeat of the answer: the instance consumes it once.
            var payload = JsonSerializer.SerializeToElement(settled, PrizesJson.Default.DebitSettled);
            await sagas.RaiseEventAsync(settled.ReplyTo, ClaimSaga.DebitSettledEvent, payload, http.GetCloudEvent()?.Id, cancellationToken);
            return TopicResults.Success();
        }
        catch (SagaRequestException e) when (e.Code == SagaErrorCodes.InstanceNotFound)
        {
            return TopicResults.Success(); // purged, or another app's request: nothing waits for it
        }
        catch (SagaRequestException e) when (e.Status >= 429)
        {
            return TopicResults.Retry();
        }
    }
}
