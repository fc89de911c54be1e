using System.Diagnostics;
using System.Text.Json;
using Dapr;
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
/// Checks answers in batches and publishes `puzzle.solved` for every correct answer, always with the id derived from
/// (hunt, puzzle, player). The order makes it safe to crash anywhere: record the solve (a marker with the time of its
/// first correct answer), then publish it. A correct answer whose solve is already recorded publishes it again with the
/// recorded time (see <see cref="CheckAsync"/>): the record does not say that the sidecar accepted the event, nor that
/// scoring got it. A batch of first solves costs two sidecar calls, a transaction and a publish.
/// </summary>
public sealed class AnswerChecker(HuntStore hunts, DaprClient dapr, EventPublisher publisher, TimeProvider time, ILogger<AnswerChecker> logger)
{
    public Task<AnswerOutcome[]> CheckAsync(IReadOnlyList<AnswerSubmitted> answers, CancellationToken cancellationToken) =>
        CheckAsync(answers, causes: null, cancellationToken);

    /// <summary>
    /// <paramref name="causes"/>: the span of each answer's event (<c>IncomingEvent.Trace</c>), in order. The solves of a
    /// batch go out in one publish call, so each solve names its answer's span itself: one answer is one trace.
    /// </summary>
    public async Task<AnswerOutcome[]> CheckAsync(IReadOnlyList<AnswerSubmitted> answers, IReadOnlyList<ActivityContext>? causes, CancellationToken cancellationToken)
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
            var solved = new OutgoingEvent<PuzzleSolved>(SolvedEventId.For(data), data, Trace: causes?[i] ?? default);
            if (solves.TryGetValue(solved.Id, out var existing)) existing.Answers.Add(i);
            else solves[solved.Id] = (solved, [i]);
        }
        if (solves.Count == 0) return outcomes;

        // Record every solve before it is published (first-write), so a solve is always published with the time of its
        // first correct answer. Most solves are first solves: one transaction records them all and nothing is read. If a
        // marker exists — a resend, a redelivery, another replica — the transaction fails whole, and the markers are
        // read to learn which solves are repeats and their first times. Recording before publishing is safe to cut
        // anywhere: a solve recorded but not published (a crash, an entry the sidecar refused) is published on the next
        // delivery or resend, as a repeat with the same id and time.
        if (!await TryRecordAsync(solves.Values.Select(s => s.Event), cancellationToken))
        {
            // A solve recorded earlier is published again, with the same id and the time it was first solved. The record
            // does not mean the event was delivered: the embedded in-memory broker loses what it holds when the sidecar
            // crashes, so a player's (or the gateway's) resend is the only thing that can bring the solve back. The repeat
            // is idempotent downstream: scoring keys each award by (hunt, player, puzzle) and writes it first-write, so a
            // solve it has applied awards nothing again (it only re-publishes points.awarded with the current total, which
            // the leaderboard takes by ledger version); the event id is the same as the first time, so whatever else
            // dedupes by id sees one event.
            var recorded = await dapr.GetBulkStateAsync(HuntStore.StateStore, solves.Keys.ToList(), parallelism: 16, cancellationToken: cancellationToken);
            var repeats = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in recorded.Where(r => !string.IsNullOrEmpty(r.Value)))
            {
                repeats.Add(item.Key);
                if (JsonSerializer.Deserialize(item.Value, HuntJson.Default.SolvedMarker) is { SolvedAt: { } solvedAt })
                {
                    var (solved, indexes) = solves[item.Key];
                    solves[item.Key] = (solved with { Data = solved.Data with { SolvedAt = solvedAt } }, indexes);
                }
            }
            // The first solves among them, first-write again. If another writer recorded one of them in between (or the
            // store failed), nothing is published: the correct answers are redelivered and judged against what is recorded then.
            var firsts = solves.Where(s => !repeats.Contains(s.Key)).Select(s => s.Value.Event).ToList();
            if (firsts.Count > 0 && !await TryRecordAsync(firsts, cancellationToken))
            {
                logger.LogWarning("the solved markers of {Count} solves could not be written (another writer came first, or the state store failed); their answers will be retried",
                    firsts.Count);
                foreach (var (_, indexes) in solves.Values)
                    foreach (var index in indexes) outcomes[index] = AnswerOutcome.Retry;
                return outcomes;
            }
        }

        var failures = await publisher.PublishAsync(EventTypes.PuzzleSolved, solves.Values.Select(s => s.Event).ToList(), HuntJson.Default.RoutedEventPuzzleSolved,
            cancellationToken);
        // One line per batch, not per event: when scoring's queue is full every event of a batch is refused, and a line
        // each (shipped to the collector too) would cost more than the work being refused.
        if (failures.Count > 0)
            logger.LogWarning("{Count} of {Total} puzzle.solved events were not accepted, their answers will be retried (first: {EventId}: {Error})",
                failures.Count, solves.Count, failures[0].EntryId, failures[0].Error);
        foreach (var (id, _) in failures)
            foreach (var index in solves[id].Answers) outcomes[index] = AnswerOutcome.Retry;
        return outcomes;
    }

    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    /// <summary>
    /// Writes the solves' markers in one transaction, each first-write; false when it failed: a marker existed (daprd
    /// reports a lost first-write inside a transaction as a failed transaction, and nothing of it is written) or the
    /// store failed, which the caller's read then meets too.
    /// </summary>
    private async Task<bool> TryRecordAsync(IEnumerable<OutgoingEvent<PuzzleSolved>> solves, CancellationToken cancellationToken)
    {
        var markers = solves.Select(s => new StateTransactionRequest(s.Id,
            JsonSerializer.SerializeToUtf8Bytes(new SolvedMarker(s.Id, s.Data.SolvedAt), HuntJson.Default.SolvedMarker), StateOperationType.Upsert, options: FirstWrite)).ToList();
        try
        {
            await dapr.ExecuteStateTransactionAsync(HuntStore.StateStore, markers, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException)
        {
            return false;
        }
    }
}
