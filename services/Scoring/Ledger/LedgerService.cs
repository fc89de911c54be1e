using System.Diagnostics;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Veltrix.Events.Publishing;
using Veltrix.Scoring.Events;

namespace Veltrix.Scoring.Ledger;

public enum SolveOutcome
{
    Awarded,
    Duplicate,

    /// <summary>Not settled: the ledger writes kept losing races or points.awarded was not accepted. Redeliver.</summary>
    Retry,
}

/// <summary>
/// Applies a batch of solves in three calls to the sidecar: one bulk read of each player's small ledger, one transaction
/// that writes each solve's award record with first-write concurrency and the ledgers with compare-and-swap on the
/// ETags read, and one bulk publish of points.awarded with deterministic ids. A failed transaction (an award already
/// recorded, or a lost race) writes nothing; the batch is then read again, award records too, and applied again. A
/// solve whose award record exists (a redelivered event — hunt derives the id from the same hunt, puzzle and player —
/// or another solve of the same puzzle) awards nothing, but
/// its points.awarded is published again with the player's current total: if a crash came between the transaction
/// and the publish, that repeat is what reaches the leaderboard; otherwise the leaderboard ignores it.
/// This process runs one round at a time (as the leaderboard serialises its board updates): batches can arrive
/// together (a sidecar with more than one delivery in flight, the dev sidecar's is one), and batches of the same hunt
/// share players, so concurrent rounds mostly lost their compare-and-swap to each other and started again — a failed
/// round costs a bulk read and a transaction rolled back.
/// The ETags still decide between processes (other replicas, the debit of a prize claim).
/// </summary>
public sealed class LedgerService(DaprClient dapr, EventPublisher publisher, ILogger<LedgerService> logger)
{
    public const string StateStore = "statestore";
    private const int MaxAttempts = 10;

    private readonly SemaphoreSlim _rounds = new(1, 1);

    public async Task<PlayerLedger?> FindAsync(string huntId, string playerId, CancellationToken cancellationToken) =>
        await dapr.GetStateAsync<PlayerLedger?>(StateStore, LedgerKey(huntId, playerId), cancellationToken: cancellationToken);

    public Task<SolveOutcome[]> ApplyAsync(IReadOnlyList<(string EventId, PuzzleSolved Solve)> solves, CancellationToken cancellationToken) =>
        ApplyAsync(solves, causes: null, cancellationToken);

    /// <summary>
    /// <paramref name="causes"/>: the span of each solve's event (<c>IncomingEvent.Trace</c>), in order: each award of the
    /// batch's one publish call continues its own solve's trace.
    /// </summary>
    public async Task<SolveOutcome[]> ApplyAsync(IReadOnlyList<(string EventId, PuzzleSolved Solve)> solves, IReadOnlyList<ActivityContext>? causes, CancellationToken cancellationToken)
    {
        var outcomes = new SolveOutcome[solves.Count];
        Round? round = null;
        for (var attempt = 1; round is null; attempt++)
        {
            // The first round assumes every solve is new and does not read the award records: the transaction writes each
            // award first-write, so a recorded one (a redelivery, a resend) fails it whole, and the next round reads them.
            var readAwards = attempt > 1;
            await _rounds.WaitAsync(cancellationToken);
            try
            {
                round = await TryApplyAsync(solves, outcomes, readAwards, cancellationToken);
            }
            finally
            {
                _rounds.Release();
            }
            if (round is not null) break;
            if (attempt == MaxAttempts)
            {
                logger.LogWarning("ledgers kept changing under {Attempts} attempts; {Count} solves will be redelivered", attempt, solves.Count);
                Array.Fill(outcomes, SolveOutcome.Retry);
                return outcomes;
            }
            // A lost race and a store outage answer alike (ERR_STATE_TRANSACTION): back off a little, with jitter, before
            // reading again — except after the first round, which most likely failed on an award it did not read.
            if (readAwards) await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * attempt), cancellationToken);
        }

        // points.awarded for every solve that is on record, new or repeated (see the class comment).
        var awards = new Dictionary<string, (OutgoingEvent<PointsAwarded> Event, List<int> Solves)>(StringComparer.Ordinal);
        for (var i = 0; i < solves.Count; i++)
        {
            var solve = solves[i].Solve;
            var ledger = round.Ledgers[LedgerKey(solve.HuntId!, solve.PlayerId!)];
            var record = round.Awards[AwardKey(solve)];
            var data = new PointsAwarded(ledger.HuntId, ledger.PlayerId, solve.PuzzleId!, record.Points, ledger.Points, ledger.Version);
            var awarded = new OutgoingEvent<PointsAwarded>(AwardedEventId.For(data), data, Trace: causes?[i] ?? default);
            if (awards.TryGetValue(awarded.Id, out var existing)) existing.Solves.Add(i);
            else awards[awarded.Id] = (awarded, [i]);
        }
        var failures = await publisher.PublishAsync(EventTypes.PointsAwarded, awards.Values.Select(a => a.Event).ToList(), ScoringJson.Default.RoutedEventPointsAwarded,
            cancellationToken);
        // One line per batch, not per event (a full queue downstream refuses the whole batch).
        if (failures.Count > 0)
            logger.LogWarning("{Count} of {Total} points.awarded events were not accepted and will be published again on redelivery (first: {EventId}: {Error})",
                failures.Count, awards.Count, failures[0].EntryId, failures[0].Error);
        foreach (var (id, _) in failures)
            foreach (var index in awards[id].Solves) outcomes[index] = SolveOutcome.Retry;
        return outcomes;
    }

    /// <summary>The ledgers and award records after a round, by state key.</summary>
    private sealed record Round(Dictionary<string, PlayerLedger> Ledgers, Dictionary<string, AwardRecord> Awards);

    /// <summary>One read-apply-write round; null when another writer changed a ledger or recorded an award in between.</summary>
    /// <param name="readAwards">False: take every solve's award as not yet recorded (its first-write then fails the round if it is).</param>
    private async Task<Round?> TryApplyAsync(IReadOnlyList<(string EventId, PuzzleSolved Solve)> solves, SolveOutcome[] outcomes, bool readAwards,
        CancellationToken cancellationToken)
    {
        var players = new Dictionary<string, (string Hunt, string Player)>(StringComparer.Ordinal);
        foreach (var (_, solve) in solves) players[LedgerKey(solve.HuntId!, solve.PlayerId!)] = (solve.HuntId!, solve.PlayerId!);
        var storedLedgers = dapr.GetBulkStateAsync<PlayerLedger?>(StateStore, players.Keys.ToList(), parallelism: 16, cancellationToken: cancellationToken);
        var storedAwards = readAwards
            ? dapr.GetBulkStateAsync<AwardRecord?>(StateStore, solves.Select(s => AwardKey(s.Solve)).Distinct(StringComparer.Ordinal).ToList(), parallelism: 16,
                cancellationToken: cancellationToken)
            : Task.FromResult<IReadOnlyList<BulkStateItem<AwardRecord?>>>([]);

        var etags = (await storedLedgers).ToDictionary(s => s.Key, s => string.IsNullOrEmpty(s.ETag) ? null : s.ETag);
        var ledgers = (await storedLedgers).ToDictionary(s => s.Key, s => s.Value ?? PlayerLedger.Empty(players[s.Key].Hunt, players[s.Key].Player));
        var awards = (await storedAwards).Where(s => s.Value is not null).ToDictionary(s => s.Key, s => s.Value!);
        var newAwards = new List<(string AwardKey, string LedgerKey)>();
        for (var i = 0; i < solves.Count; i++)
        {
            var (eventId, solve) = solves[i];
            var awardKey = AwardKey(solve);
            if (awards.ContainsKey(awardKey))
            {
                outcomes[i] = SolveOutcome.Duplicate;
                continue;
            }
            var ledgerKey = LedgerKey(solve.HuntId!, solve.PlayerId!);
            awards[awardKey] = new AwardRecord(solve.PuzzleId!, solve.Points, eventId);
            newAwards.Add((awardKey, ledgerKey));
            var ledger = ledgers[ledgerKey];
            ledgers[ledgerKey] = ledger with { Points = ledger.Points + solve.Points, Version = ledger.Version + 1, Awards = ledger.Awards + 1 };
            outcomes[i] = SolveOutcome.Awarded;
        }
        if (newAwards.Count == 0) return new Round(ledgers, awards);

        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        var changedLedgers = newAwards.Select(n => n.LedgerKey).Distinct(StringComparer.Ordinal);
        var writes = newAwards.Select(n => new StateTransactionRequest(n.AwardKey,
                JsonSerializer.SerializeToUtf8Bytes(awards[n.AwardKey], ScoringJson.Default.AwardRecord), StateOperationType.Upsert, options: firstWrite))
            .Concat(changedLedgers.Select(key => etags[key] is { } etag
                ? new StateTransactionRequest(key, JsonSerializer.SerializeToUtf8Bytes(ledgers[key], ScoringJson.Default.PlayerLedger), StateOperationType.Upsert, etag)
                : new StateTransactionRequest(key, JsonSerializer.SerializeToUtf8Bytes(ledgers[key], ScoringJson.Default.PlayerLedger), StateOperationType.Upsert, options: firstWrite)))
            .ToList();
        try
        {
            await dapr.ExecuteStateTransactionAsync(StateStore, writes, cancellationToken: cancellationToken);
            return new Round(ledgers, awards);
        }
        catch (DaprException)
        {
            // Inside a transaction daprd reports a lost compare-and-swap or first-write as a failed transaction (Internal,
            // not Aborted), and nothing of it was written: read again. A store outage looks the same and is retried alike.
            return null;
        }
    }

    private static string LedgerKey(string huntId, string playerId) => $"ledger:{huntId}:{playerId}";

    private static string AwardKey(PuzzleSolved solve) => $"award:{solve.HuntId}:{solve.PlayerId}:{solve.PuzzleId}";
}
