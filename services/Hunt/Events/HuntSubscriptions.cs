using Veltrix.Dapr.AspNetCore;
using Veltrix.Hunt.Domain;

namespace Veltrix.Hunt.Events;

/// <summary>Everything hunt subscribes to, in one place.</summary>
public static class HuntSubscriptions
{
    /// <summary>Routes, topics, dead-letter topics and bulk settings come from the event configuration (events/).</summary>
    public static IEndpointRouteBuilder MapHuntSubscriptions(this WebApplication app) =>
        app.MapEventSubscriptions(events => events.Handle(EventTypes.AnswerSubmitted, HandleAnswersAsync));

    /// <summary>
    /// Wrong and correct answers are done (SUCCESS); answers to hunts or puzzles that do not exist will never
    /// succeed (DROP → dead-letter topic); a solve the broker refused is asked for again (RETRY).
    /// </summary>
    private static async Task<IResult> HandleAnswersAsync(BulkSubscribeMessage<AnswerSubmitted> batch, AnswerChecker checker, ILogger<AnswerChecker> logger,
        CancellationToken cancellationToken)
    {
        var statuses = new BulkSubscribeAppResponseEntry[batch.Entries.Count];
        var valid = new List<(int Index, AnswerSubmitted Answer)>();
        for (var i = 0; i < batch.Entries.Count; i++)
        {
            var entry = batch.Entries[i];
            if (entry.Data is { HuntId.Length: > 0, PuzzleId.Length: > 0, PlayerId.Length: > 0, Answer: not null } answer) valid.Add((i, answer));
            else
            {
                logger.LogWarning("answer.submitted {EntryId} is incomplete and is dropped: {Error}", entry.EntryId, entry.DataError ?? "missing fields");
                statuses[i] = new BulkSubscribeAppResponseEntry(entry.EntryId, BulkSubscribeAppResponseStatus.DROP);
            }
        }
        var outcomes = await checker.CheckAsync(valid.Select(v => v.Answer).ToList(), cancellationToken);
        for (var v = 0; v < valid.Count; v++)
        {
            var status = outcomes[v] switch
            {
                AnswerOutcome.Retry => BulkSubscribeAppResponseStatus.RETRY,
                AnswerOutcome.UnknownHunt or AnswerOutcome.UnknownPuzzle => BulkSubscribeAppResponseStatus.DROP,
                _ => BulkSubscribeAppResponseStatus.SUCCESS,
            };
            statuses[valid[v].Index] = new BulkSubscribeAppResponseEntry(batch.Entries[valid[v].Index].EntryId, status);
        }
        return TopicResults.Bulk(statuses);
    }
}
