using System.Text.Json;
using Dapr.Client;
using Veltrix.Events.Publishing;
using Veltrix.Hunt.Events;

namespace Veltrix.Hunt.Domain;

public enum AnswerOutcome
{
    Wrong,
    Correct,
    UnknownHunt,
    UnknownPuzzle,

    /// <summary>Correct, but the solve could not be published yet (the broker refused it): try again later.</summary>
    Retry,
}

/// <summary>
/// Checks answers in batches and publishes `puzzle.solved` once per (player, puzzle). The order makes it safe to
/// crash anywhere: publish first (with an id derived from the solve), then record the solve; a crash in between
/// publishes the same event id again on redelivery, which scoring recognises.
/// </summary>
public sealed class AnswerChecker(HuntStore hunts, DaprClient dapr, EventPublisher publisher, TimeProvider time, ILogger<AnswerChecker> logger)
{
    public async Task<AnswerOutcome[]> CheckAsync(IReadOnlyList<AnswerSubmitted> answers, CancellationToken cancellationToken)
    {
        var outcomes = new AnswerOutcome[answers.Count];
        var solves = new Dictionary<string, (OutgoingEvent<PuzzleSolved> Event, List<int> Answers)>(StringComparer.Ordinal);
        for (var i = 0; i < answers.Count; i++)
        {
            var answer = answers[i];
            var hunt = await hunts.FindAsync(answer.HuntId!, cancellationToken);
            var puzzle = hunt?.Puzzle(answer.PuzzleId!);
            outcomes[i] = hunt is null ? AnswerOutcome.UnknownHunt
                : puzzle is null ? AnswerOutcome.UnknownPuzzle
                : AnswerHasher.Matches(answer.Answer!, hunt.Salt, puzzle.AnswerHash) ? AnswerOutcome.Correct
                : AnswerOutcome.Wrong;
            if (outcomes[i] != AnswerOutcome.Correct) continue;
            var data = new PuzzleSolved(hunt!.Id, puzzle!.Id, answer.PlayerId!, puzzle.Points, time.GetUtcNow());
            var solved = new OutgoingEvent<PuzzleSolved>(SolvedEventId.For(data), data);
            if (solves.TryGetValue(solved.Id, out var existing)) existing.Answers.Add(i);
            else solves[solved.Id] = (solved, [i]);
        }
        if (solves.Count == 0) return outcomes;

        // Solves recorded earlier publish nothing.
        var recorded = await dapr.GetBulkStateAsync(HuntStore.StateStore, solves.Keys.ToList(), parallelism: 16, cancellationToken: cancellationToken);
        foreach (var item in recorded.Where(r => !string.IsNullOrEmpty(r.Value))) solves.Remove(item.Key);
        if (solves.Count == 0) return outcomes;

        var failures = await publisher.PublishAsync(EventTypes.PuzzleSolved, solves.Values.Select(s => s.Event).ToList(), HuntJson.Default.RoutedEventPuzzleSolved,
            cancellationToken);
        foreach (var (id, error) in failures)
        {
            logger.LogWarning("puzzle.solved {EventId} was not accepted, the answer will be retried: {Error}", id, error);
            foreach (var index in solves[id].Answers) outcomes[index] = AnswerOutcome.Retry;
            solves.Remove(id);
        }
        if (solves.Count > 0)
        {
            var markers = solves.Keys.Select(key => new StateTransactionRequest(key,
                JsonSerializer.SerializeToUtf8Bytes(new SolvedMarker(key), HuntJson.Default.SolvedMarker), StateOperationType.Upsert)).ToList();
            await dapr.ExecuteStateTransactionAsync(HuntStore.StateStore, markers, cancellationToken: cancellationToken);
        }
        return outcomes;
    }
}
