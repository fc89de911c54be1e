using Veltrix.Dapr.Client;
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
/// Applies a batch of solves to the players' ledgers in three calls to the sidecar: one bulk read, one transaction
/// whose every write is conditional on the ETag it read (compare-and-swap; a lost race re-reads and re-applies the
/// whole batch), and one bulk publish of points.awarded with deterministic ids. A solve seen before (same event id,
/// or the same puzzle) awards nothing, but its points.awarded is published again: if a crash came between the
/// ledger write and the publish, that repeat is what reaches the leaderboard; otherwise the leaderboard ignores it.
/// </summary>
public sealed class LedgerService(DaprClient dapr, ILogger<LedgerService> logger)
{
    public const string StateStore = "statestore";
    private const int MaxAttempts = 10;

    public async Task<PlayerLedger?> FindAsync(string huntId, string playerId, CancellationToken cancellationToken) =>
        await dapr.GetStateAsync(StateStore, Key(huntId, playerId), ScoringJson.Default.PlayerLedger, cancellationToken: cancellationToken);

    public async Task<SolveOutcome[]> ApplyAsync(IReadOnlyList<(string EventId, PuzzleSolved Solve)> solves, CancellationToken cancellationToken)
    {
        var outcomes = new SolveOutcome[solves.Count];
        Dictionary<string, PlayerLedger>? ledgers = null;
        for (var attempt = 1; ledgers is null; attempt++)
        {
            ledgers = await TryApplyAsync(solves, outcomes, cancellationToken);
            if (ledgers is not null) break;
            if (attempt == MaxAttempts)
            {
                logger.LogWarning("ledgers kept changing under {Attempts} attempts; {Count} solves will be redelivered", attempt, solves.Count);
                Array.Fill(outcomes, SolveOutcome.Retry);
                return outcomes;
            }
            // A lost race and a store outage answer alike (ERR_STATE_TRANSACTION): back off a little, with jitter, before reading again.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * attempt), cancellationToken);
        }

        // points.awarded for every solve the ledgers hold, new or repeated (see the class comment).
        var awards = new Dictionary<string, (AwardedCloudEvent Event, List<int> Solves)>(StringComparer.Ordinal);
        for (var i = 0; i < solves.Count; i++)
        {
            var solve = solves[i].Solve;
            var ledger = ledgers[Key(solve.HuntId!, solve.PlayerId!)];
            if (!ledger.Awards.ContainsKey(solve.PuzzleId!)) continue; // an event id seen before, reused for another puzzle: nothing to announce
            var awarded = AwardedCloudEvent.For(new PointsAwarded(ledger.HuntId, ledger.PlayerId, solve.PuzzleId!, ledger.Awards[solve.PuzzleId!], ledger.Points, ledger.Version));
            if (awards.TryGetValue(awarded.Id, out var existing)) existing.Solves.Add(i);
            else awards[awarded.Id] = (awarded, [i]);
        }
        var entries = awards.Values.Select(a => new BulkPublishEntry<AwardedCloudEvent>(a.Event.Id, a.Event, "application/cloudevents+json")).ToList();
        var published = await dapr.BulkPublishEventAsync(Topics.PubSub, Topics.PointsAwarded, entries, ScoringJson.Default.AwardedCloudEvent,
            cancellationToken: cancellationToken);
        foreach (var failed in published.FailedEntries)
        {
            logger.LogWarning("points.awarded {EventId} was not accepted and will be published again on redelivery: {Error}", failed.Entry.EntryId, failed.ErrorMessage);
            foreach (var index in awards[failed.Entry.EntryId].Solves) outcomes[index] = SolveOutcome.Retry;
        }
        return outcomes;
    }

    /// <summary>One read-apply-write round; null when another writer changed a ledger in between.</summary>
    private async Task<Dictionary<string, PlayerLedger>?> TryApplyAsync(IReadOnlyList<(string EventId, PuzzleSolved Solve)> solves, SolveOutcome[] outcomes,
        CancellationToken cancellationToken)
    {
        var owners = new Dictionary<string, (string Hunt, string Player)>(StringComparer.Ordinal);
        foreach (var (_, solve) in solves) owners[Key(solve.HuntId!, solve.PlayerId!)] = (solve.HuntId!, solve.PlayerId!);
        var keys = owners.Keys.ToList();
        var stored = await dapr.GetBulkStateAsync(StateStore, keys, parallelism: 16, ScoringJson.Default.PlayerLedger, cancellationToken: cancellationToken);
        var etags = stored.ToDictionary(s => s.Key, s => string.IsNullOrEmpty(s.ETag) ? null : s.ETag);
        var ledgers = stored.ToDictionary(s => s.Key, s => s.Value ?? PlayerLedger.Empty(owners[s.Key].Hunt, owners[s.Key].Player));
        var changed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < solves.Count; i++)
        {
            var (eventId, solve) = solves[i];
            var key = Key(solve.HuntId!, solve.PlayerId!);
            var ledger = ledgers[key];
            if (ledger.RecentEventIds.Contains(eventId) || ledger.Awards.ContainsKey(solve.PuzzleId!))
            {
                outcomes[i] = SolveOutcome.Duplicate;
                continue;
            }
            var recent = new List<string>(ledger.RecentEventIds) { eventId };
            if (recent.Count > PlayerLedger.EventWindow) recent.RemoveRange(0, recent.Count - PlayerLedger.EventWindow);
            ledgers[key] = ledger with
            {
                Points = ledger.Points + solve.Points,
                Version = ledger.Version + 1,
                Awards = new Dictionary<string, int>(ledger.Awards, StringComparer.Ordinal) { [solve.PuzzleId!] = solve.Points },
                RecentEventIds = recent,
            };
            changed.Add(key);
            outcomes[i] = SolveOutcome.Awarded;
        }
        if (changed.Count == 0) return ledgers;

        var writes = changed.Select(key => etags[key] is { } etag
            ? StateTransactionRequest.Upsert(key, ledgers[key], ScoringJson.Default.PlayerLedger, etag)
            : StateTransactionRequest.Upsert(key, ledgers[key], ScoringJson.Default.PlayerLedger, options: new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }))
            .ToList();
        try
        {
            await dapr.ExecuteStateTransactionAsync(StateStore, writes, cancellationToken: cancellationToken);
            return ledgers;
        }
        catch (DaprApiException e) when (e.ErrorCode == "ERR_STATE_TRANSACTION")
        {
            return null; // inside a transaction a lost compare-and-swap is this error (not 409): read again
        }
    }

    private static string Key(string huntId, string playerId) => $"ledger:{huntId}:{playerId}";
}
