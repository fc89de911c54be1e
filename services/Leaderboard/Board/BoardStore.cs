using System.Collections.Concurrent;
using Dapr.Client;
using Veltrix.ServiceDefaults.State;
using Veltrix.Leaderboard.Events;

namespace Veltrix.Leaderboard.Board;

/// <summary>
/// Each hunt's board lives in the state store and is updated with ETag compare-and-swap; this process keeps the
/// last board it saw for reads and serialises its own updates per hunt. A total only replaces an older version of
/// itself (see StoredBoard), so redelivered and repeated awards never count twice. At most MaxCachedHunts boards are
/// kept in memory; past that, boards are read from and written to the state store without being kept.
/// </summary>
public sealed class BoardStore(DaprClient dapr, BoardChanges changes, ILogger<BoardStore> logger)
{
    public const string StateStore = "statestore";
    private const int MaxAttempts = 10;
    public const int MaxCachedHunts = 10_000;
    private readonly ConcurrentDictionary<string, HuntBoard> _hunts = new(StringComparer.Ordinal);

    public async Task<LeaderboardView> ViewAsync(string huntId, CancellationToken cancellationToken)
    {
        var hunt = Board(huntId);
        if (hunt.Board is { } board) return Ranking.Rank(board);
        await hunt.Gate.WaitAsync(cancellationToken);
        try
        {
            if (hunt.Board is null) await LoadAsync(huntId, hunt, cancellationToken);
            return Ranking.Rank(hunt.Board!);
        }
        finally
        {
            hunt.Gate.Release();
        }
    }

    /// <summary>Returns false when the board could not be saved (the awards should be redelivered).</summary>
    public async Task<bool> ApplyAsync(string huntId, IReadOnlyList<PointsAwarded> awards, CancellationToken cancellationToken)
    {
        var hunt = Board(huntId);
        await hunt.Gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                await LoadAsync(huntId, hunt, cancellationToken); // the ETag of our own last write is unknown, so read it
                var next = Apply(hunt.Board!, awards);
                if (next is null) return true;
                var saved = await dapr.TrySaveStateIfUnchangedAsync(StateStore, Key(huntId), next, hunt.ETag, cancellationToken);
                if (!saved) continue;
                hunt.Board = next;
                changes.Publish(Ranking.Rank(next));
                return true;
            }
            logger.LogWarning("board of hunt {Hunt} kept changing under {Attempts} attempts; the awards will be redelivered", huntId, MaxAttempts);
            return false;
        }
        finally
        {
            hunt.Gate.Release();
        }
    }

    /// <summary>The board with the newer totals, or null when every award was already reflected.</summary>
    private static StoredBoard? Apply(StoredBoard board, IReadOnlyList<PointsAwarded> awards)
    {
        var players = new Dictionary<string, PlayerTotal>(board.Players, StringComparer.Ordinal);
        var changed = false;
        foreach (var award in awards)
        {
            if (players.TryGetValue(award.PlayerId!, out var current) && current.Version >= award.Version) continue;
            players[award.PlayerId!] = new PlayerTotal(award.Total, award.Version);
            changed = true;
        }
        return changed ? board with { Players = players } : null;
    }

    private async Task LoadAsync(string huntId, HuntBoard hunt, CancellationToken cancellationToken)
    {
        var (board, etag) = await dapr.GetStateAndETagAsync<StoredBoard?>(StateStore, Key(huntId), cancellationToken: cancellationToken);
        hunt.Board = board ?? StoredBoard.Empty(huntId);
        hunt.ETag = string.IsNullOrEmpty(etag) ? null : etag;
    }

    private HuntBoard Board(string huntId) =>
        _hunts.TryGetValue(huntId, out var hunt) ? hunt
        : _hunts.Count < MaxCachedHunts ? _hunts.GetOrAdd(huntId, _ => new HuntBoard())
        : new HuntBoard();

    private static string Key(string huntId) => $"board:{huntId}";

    private sealed class HuntBoard
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public StoredBoard? Board { get; set; }
        public string? ETag { get; set; }
    }
}
