using Dapr.AspNetCore;
using Veltrix.Events.Publishing;
using Veltrix.Events.Subscribing;
using Veltrix.Scoring.Ledger;

namespace Veltrix.Scoring.Events;

/// <summary>
/// The debit command over pub/sub: points.debit.requested → decide (idempotently) → points.debit.settled with the
/// same outcome on every repeat; points.debit.cancelled → refund or block. A failed publish asks for redelivery.
/// </summary>
public static class DebitSubscriptions
{
    // Mapped with scoring's other handlers in ScoringSubscriptions; routes and topics come from the event configuration.
    internal static async Task<BulkSubscribeAppResponseStatus[]> HandleRequestsAsync(IReadOnlyList<IncomingEvent<DebitRequested>> batch, DebitService debits,
        EventPublisher publisher, ILogger<DebitService> logger, CancellationToken cancellationToken)
    {
        var statuses = new BulkSubscribeAppResponseStatus[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var request = batch[i].Data;
            if (request is not { DebitId.Length: > 0, HuntId.Length: > 0, PlayerId.Length: > 0, Amount: > 0 })
            {
                logger.LogWarning("points.debit.requested {DebitId} is incomplete and is dropped", request.DebitId);
                statuses[i] = BulkSubscribeAppResponseStatus.DROP;
                continue;
            }
            // The debit record decides once per debit id; a repeat finds it and publishes the same answer (same event id).
            var record = await debits.DebitAsync(request.HuntId, request.PlayerId, request.DebitId, request.Amount, cancellationToken);
            await publisher.PublishOneAsync(EventTypes.DebitSettled, $"settled:{record.DebitId}", Settled(record, request), DebitJson.Default.RoutedEventDebitSettled,
                cancellationToken);
            statuses[i] = BulkSubscribeAppResponseStatus.SUCCESS;
        }
        return statuses;
    }

    internal static async Task<BulkSubscribeAppResponseStatus[]> HandleCancelsAsync(IReadOnlyList<IncomingEvent<DebitCancelled>> batch, DebitService debits,
        ILogger<DebitService> logger, CancellationToken cancellationToken)
    {
        var statuses = new BulkSubscribeAppResponseStatus[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var request = batch[i].Data;
            if (request is not { DebitId.Length: > 0, HuntId.Length: > 0, PlayerId.Length: > 0 })
            {
                logger.LogWarning("points.debit.cancelled {DebitId} is incomplete and is dropped", request.DebitId);
                statuses[i] = BulkSubscribeAppResponseStatus.DROP;
                continue;
            }
            await debits.CancelAsync(request.HuntId, request.PlayerId, request.DebitId, cancellationToken);
            statuses[i] = BulkSubscribeAppResponseStatus.SUCCESS;
        }
        return statuses;
    }

    internal static DebitSettled Settled(DebitRecord record, DebitRequested request) => record.Outcome switch
    {
        DebitOutcome.Debited => new DebitSettled(record.DebitId, record.HuntId, record.PlayerId, record.Amount, "Debited", record.BalanceAfter, null, null, request.ReplyTo),
        DebitOutcome.Rejected => new DebitSettled(record.DebitId, record.HuntId, record.PlayerId, record.Amount, "Rejected", record.BalanceAfter,
            DebitErrorCodes.InsufficientPoints, $"player '{record.PlayerId}' has {record.BalanceAfter} points in hunt '{record.HuntId}', {record.Amount} are needed", request.ReplyTo),
        _ => new DebitSettled(record.DebitId, record.HuntId, record.PlayerId, record.Amount, "Rejected", record.BalanceAfter,
            DebitErrorCodes.DebitCancelled, $"debit '{record.DebitId}' was cancelled before it was applied", request.ReplyTo),
    };
}
