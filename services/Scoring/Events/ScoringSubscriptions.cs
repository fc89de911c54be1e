using System.Diagnostics;
using Dapr.AspNetCore;
using Veltrix.Events.Subscribing;
using Veltrix.Scoring.Ledger;
using Veltrix.ServiceDefaults;

namespace Veltrix.Scoring.Events;

/// <summary>Everything scoring subscribes to, in one place.</summary>
public static class ScoringSubscriptions
{
    /// <summary>Routes, topics, dead-letter topics and bulk settings come from the event configuration (events/).</summary>
    public static IEndpointRouteBuilder MapScoringSubscriptions(this WebApplication app) =>
        app.MapEventSubscriptions(events => events
            .Handle<PuzzleSolved>(EventTypes.PuzzleSolved, HandleSolvesAsync));

    /// <summary>The whole batch in one ledger round; each entry answers for itself (the award record makes a repeat award nothing).</summary>
    private static async Task<BulkSubscribeAppResponseStatus[]> HandleSolvesAsync(IReadOnlyList<IncomingEvent<PuzzleSolved>> batch, LedgerService ledgers,
        ILogger<LedgerService> logger, CancellationToken cancellationToken)
    {
        var statuses = new BulkSubscribeAppResponseStatus[batch.Count];
        var valid = new List<(int Index, string EventId, PuzzleSolved Solve, ActivityContext Trace)>();
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i] is { Id.Length: > 0, Data: { Points: > 0 } solve } incoming && Ids.IsValid(solve.HuntId) && Ids.IsValid(solve.PuzzleId) && Ids.IsValid(solve.PlayerId))
                valid.Add((i, incoming.Id, solve, incoming.Trace));
            else
            {
                logger.LogWarning("puzzle.solved {EntryId} is incomplete or has an invalid id and is dropped", Ids.Printable(batch[i].EntryId));
                statuses[i] = BulkSubscribeAppResponseStatus.DROP;
            }
        }
        var outcomes = await ledgers.ApplyAsync(valid.Select(v => (v.EventId, v.Solve)).ToList(), valid.Select(v => v.Trace).ToList(), cancellationToken);
        for (var v = 0; v < valid.Count; v++)
            statuses[valid[v].Index] = outcomes[v] == SolveOutcome.Retry ? BulkSubscribeAppResponseStatus.RETRY : BulkSubscribeAppResponseStatus.SUCCESS;
        return statuses;
    }
}
