using Veltrix.Dapr.AspNetCore;
using Veltrix.Scoring.Ledger;

namespace Veltrix.Scoring.Events;

/// <summary>Everything scoring subscribes to, in one place.</summary>
public static class ScoringSubscriptions
{
    public static IEndpointRouteBuilder MapScoringSubscriptions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/events/puzzle-solved", HandleSolvesAsync)
            .WithTopic(Topics.PubSub, Topics.PuzzleSolved, deadLetterTopic: Topics.PuzzleSolvedDeadLetter)
            .WithBulkSubscribe(maxMessagesCount: 500, maxAwaitDurationMs: 5);
        return app;
    }

    /// <summary>One ledger update per player in the batch; each entry answers for itself.</summary>
    private static async Task<IResult> HandleSolvesAsync(BulkSubscribeMessage<PuzzleSolved> batch, LedgerService ledgers, ILogger<LedgerService> logger,
        CancellationToken cancellationToken)
    {
        var statuses = new BulkSubscribeAppResponseEntry[batch.Entries.Count];
        var players = new Dictionary<(string Hunt, string Player), List<(int Index, string EventId, PuzzleSolved Solve)>>();
        for (var i = 0; i < batch.Entries.Count; i++)
        {
            var entry = batch.Entries[i];
            if (entry.Data is { HuntId.Length: > 0, PuzzleId.Length: > 0, PlayerId.Length: > 0, Points: > 0 } solve && entry.CloudEvent?.Id is { Length: > 0 } eventId)
            {
                var key = (solve.HuntId, solve.PlayerId);
                if (!players.TryGetValue(key, out var list)) players[key] = list = [];
                list.Add((i, eventId, solve));
            }
            else
            {
                logger.LogWarning("puzzle.solved {EntryId} is incomplete and is dropped: {Error}", entry.EntryId, entry.DataError ?? "missing fields");
                statuses[i] = new BulkSubscribeAppResponseEntry(entry.EntryId, BulkSubscribeAppResponseStatus.DROP);
            }
        }

        await Task.WhenAll(players.Select(async player =>
        {
            var outcomes = await ledgers.ApplyAsync(player.Key.Hunt, player.Key.Player, player.Value.Select(v => (v.EventId, v.Solve)).ToList(), cancellationToken);
            for (var k = 0; k < outcomes.Length; k++)
            {
                var index = player.Value[k].Index;
                statuses[index] = new BulkSubscribeAppResponseEntry(batch.Entries[index].EntryId,
                    outcomes[k] == SolveOutcome.Retry ? BulkSubscribeAppResponseStatus.RETRY : BulkSubscribeAppResponseStatus.SUCCESS);
            }
        }));
        return TopicResults.Bulk(statuses);
    }
}
