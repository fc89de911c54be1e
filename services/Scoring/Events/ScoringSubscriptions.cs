using Veltrix.Dapr.AspNetCore;
using Veltrix.Scoring.Ledger;

namespace Veltrix.Scoring.Events;

/// <summary>Everything scoring subscribes to, in one place.</summary>
public static class ScoringSubscriptions
{
    /// <summary>Routes, topics, dead-letter topics and bulk settings come from the event configuration (events/).</summary>
    public static IEndpointRouteBuilder MapScoringSubscriptions(this WebApplication app) =>
        app.MapEventSubscriptions(events => events
            .Handle(EventTypes.PuzzleSolved, HandleSolvesAsync)
            .Handle(EventTypes.DebitRequested, DebitSubscriptions.HandleRequestAsync)
            .Handle(EventTypes.DebitCancelled, DebitSubscriptions.HandleCancelAsync));

    /// <summary>The whole batch in one ledger round; each entry answers for itself.</summary>
    private static async Task<IResult> HandleSolvesAsync(BulkSubscribeMessage<PuzzleSolved> batch, LedgerService ledgers, ILogger<LedgerService> logger,
        CancellationToken cancellationToken)
    {
        var statuses = new BulkSubscribeAppResponseEntry[batch.Entries.Count];
        var valid = new List<(int Index, string EventId, PuzzleSolved Solve)>();
        for (var i = 0; i < batch.Entries.Count; i++)
        {
            var entry = batch.Entries[i];
            if (entry.Data is { HuntId.Length: > 0, PuzzleId.Length: > 0, PlayerId.Length: > 0, Points: > 0 } solve && entry.CloudEvent?.Id is { Length: > 0 } eventId)
                valid.Add((i, eventId, solve));
            else
            {
                logger.LogWarning("puzzle.solved {EntryId} is incomplete and is dropped: {Error}", entry.EntryId, entry.DataError ?? "missing fields");
                statuses[i] = new BulkSubscribeAppResponseEntry(entry.EntryId, BulkSubscribeAppResponseStatus.DROP);
            }
        }
        var outcomes = await ledgers.ApplyAsync(valid.Select(v => (v.EventId, v.Solve)).ToList(), cancellationToken);
        for (var v = 0; v < valid.Count; v++)
            statuses[valid[v].Index] = new BulkSubscribeAppResponseEntry(batch.Entries[valid[v].Index].EntryId,
                outcomes[v] == SolveOutcome.Retry ? BulkSubscribeAppResponseStatus.RETRY : BulkSubscribeAppResponseStatus.SUCCESS);
        return TopicResults.Bulk(statuses);
    }
}
