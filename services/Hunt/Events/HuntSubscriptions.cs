using System.Diagnostics;
using Dapr.AspNetCore;
using Veltrix.Events.Subscribing;
using Veltrix.Hunt.Domain;
using Veltrix.ServiceDefaults;

namespace Veltrix.Hunt.Events;

/// <summary>Everything hunt subscribes to, in one place.</summary>
public static class HuntSubscriptions
{
    /// <summary>Routes, topics, dead-letter topics and bulk settings come from the event configuration (events/).</summary>
    public static IEndpointRouteBuilder MapHuntSubscriptions(this WebApplication app) =>
        app.MapEventSubscriptions(events => events.Handle<AnswerSubmitted>(EventTypes.AnswerSubmitted, HandleAnswersAsync));

    /// <summary>
    /// Wrong and correct answers are done (SUCCESS); answers that are incomplete, carry an id no state key can hold, or name hunts or puzzles that do not
    /// exist will never succeed (DROP → dead-letter topic); a solve the broker refused is asked for again (RETRY).
    /// A redelivered or resent correct answer publishes the same solve id again, which scoring recognises.
    /// </summary>
    private static async Task<BulkSubscribeAppResponseStatus[]> HandleAnswersAsync(IReadOnlyList<IncomingEvent<AnswerSubmitted>> batch, AnswerChecker checker,
        ILogger<AnswerChecker> logger, CancellationToken cancellationToken)
    {
        var statuses = new BulkSubscribeAppResponseStatus[batch.Count];
        var valid = new List<(int Index, AnswerSubmitted Answer, ActivityContext Trace)>();
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].Data is { Answer: not null } answer && Ids.IsValid(answer.HuntId) && Ids.IsValid(answer.PuzzleId) && Ids.IsValid(answer.PlayerId))
                valid.Add((i, answer, batch[i].Trace));
            else
            {
                // One line, no stack trace: the entry goes to the dead-letter topic, where an operator can read it whole.
                logger.LogWarning("answer.submitted {EventId} is incomplete or has an invalid id and is dropped", Ids.Printable(batch[i].Id));
                statuses[i] = BulkSubscribeAppResponseStatus.DROP;
            }
        }
        var outcomes = await checker.CheckAsync(valid.Select(v => v.Answer).ToList(), valid.Select(v => v.Trace).ToList(), cancellationToken);
        for (var v = 0; v < valid.Count; v++)
            statuses[valid[v].Index] = outcomes[v] switch
            {
                AnswerOutcome.Retry => BulkSubscribeAppResponseStatus.RETRY,
                AnswerOutcome.UnknownHunt or AnswerOutcome.UnknownPuzzle => BulkSubscribeAppResponseStatus.DROP,
                _ => BulkSubscribeAppResponseStatus.SUCCESS,
            };
        return statuses;
    }
}
