using Veltrix.Dapr.Client;
using Veltrix.Scoring.Events;

namespace Veltrix.Scoring.Ledger;

public enum SolveOutcome
{
    Awarded,
    Duplicate,

    /// <summary>Not settled: the ledger write kept losing races or points.awarded was not accepted. Redeliver.</summary>
    Retry,
}

/// <summary>
/// Applies solves to ledgers with ETag compare-and-swap (re-reading on conflict), then publishes points.awarded
/// with a deterministic id. A solve seen before (same event id, or the same puzzle) awards nothing, but its
/// points.awarded is published again: if a crash came between the ledger write and the publish, that repeat is
/// what reaches the leaderboard, and the leaderboard ignores it otherwise.
/// </summary>
public sealed class LedgerService(DaprClient dapr, ILogger<LedgerService> logger)
{
    public const string StateStore = "statestore";
    private const int MaxAttempts = 20;

    public async Task<PlayerLedger?> FindAsync(string huntId, string playerId, CancellationToken cancellationToken) =>
        await dapr.GetStateAsync(StateStore, Key(huntId, playerId), ScoringJson.Default.PlayerLedger, cancellationToken: cancellationToken);

    /// <summary>Applies solves that all belong to one player in one hunt.</summary>
    public async Task<SolveOutcome[]> ApplyAsync(string huntId, string playerId, IReadOnlyList<(string EventId, PuzzleSolved Solve)> solves,
        CancellationToken cancellationToken)
    {
        var outcomes = new SolveOutcome[solves.Count];
        PlayerLedger? ledger = null;
        for (var attempt = 1; ; attempt++)
        {
            var (stored, etag) = await dapr.GetStateAndETagAsync(StateStore, Key(huntId, playerId), ScoringJson.Default.PlayerLedger,
                cancellationToken: cancellationToken);
            ledger = stored ?? PlayerLedger.Empty(huntId, playerId);
            var awards = new Dictionary<string, int>(ledger.Awards, StringComparer.Ordinal);
            var recent = new List<string>(ledger.RecentEventIds);
            var points = ledger.Points;
            for (var i = 0; i < solves.Count; i++)
            {
                var (eventId, solve) = solves[i];
                if (recent.Contains(eventId) || awards.ContainsKey(solve.PuzzleId!))
                {
                    outcomes[i] = SolveOutcome.Duplicate;
                    continue;
                }
                awards[solve.PuzzleId!] = solve.Points;
                points += solve.Points;
                recent.Add(eventId);
                outcomes[i] = SolveOutcome.Awarded;
            }
            if (!outcomes.Contains(SolveOutcome.Awarded)) break;
            if (recent.Count > PlayerLedger.EventWindow) recent.RemoveRange(0, recent.Count - PlayerLedger.EventWindow);
            var updated = ledger with { Points = points, Awards = awards, RecentEventIds = recent };
            var saved = string.IsNullOrEmpty(etag)
                ? await TryCreateAsync(updated, cancellationToken)
                : await dapr.TrySaveStateAsync(StateStore, Key(huntId, playerId), updated, ScoringJson.Default.PlayerLedger, etag, cancellationToken: cancellationToken);
            if (saved)
            {
                ledger = updated;
                break;
            }
            if (attempt == MaxAttempts)
            {
                logger.LogWarning("ledger {Hunt}/{Player} kept changing under {Attempts} attempts; the solves will be redelivered", huntId, playerId, attempt);
                Array.Fill(outcomes, SolveOutcome.Retry);
                return outcomes;
            }
        }

        // Publish for every solve the ledger holds, new or repeated (see the class comment).
        var entries = solves.Select((s, i) => (s, i))
            .Where(x => ledger.Awards.ContainsKey(x.s.Solve.PuzzleId!))
            .GroupBy(x => x.s.Solve.PuzzleId!)
            .Select(g =>
            {
                var puzzleId = g.Key;
                var awarded = AwardedCloudEvent.For(new PointsAwarded(huntId, playerId, puzzleId, ledger.Awards[puzzleId], ledger.Points));
                return (Entry: new BulkPublishEntry<AwardedCloudEvent>(awarded.Id, awarded, "application/cloudevents+json"), Indexes: g.Select(x => x.i).ToList());
            }).ToList();
        var published = await dapr.BulkPublishEventAsync(Topics.PubSub, Topics.PointsAwarded, entries.Select(e => e.Entry).ToList(),
            ScoringJson.Default.AwardedCloudEvent, cancellationToken: cancellationToken);
        foreach (var failed in published.FailedEntries)
        {
            logger.LogWarning("points.awarded {EventId} was not accepted and will be published again on redelivery: {Error}", failed.Entry.EntryId, failed.ErrorMessage);
            foreach (var index in entries.First(e => e.Entry.EntryId == failed.Entry.EntryId).Indexes) outcomes[index] = SolveOutcome.Retry;
        }
        return outcomes;
    }

    private async Task<bool> TryCreateAsync(PlayerLedger ledger, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.SaveStateAsync(StateStore, Key(ledger.HuntId, ledger.PlayerId), ledger, ScoringJson.Default.PlayerLedger,
                new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprStateConflictException)
        {
            return false; // someone created it first: read it and apply on top
        }
    }

    private static string Key(string huntId, string playerId) => $"ledger:{huntId}:{playerId}";
}
