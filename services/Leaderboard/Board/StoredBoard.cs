namespace Veltrix.Leaderboard.Board;

/// <summary>
/// A player's total as of a version of their ledger in scoring.</summary>
public sealed record PlayerTotal(long Points, long Version);

/// <summary>
/// The read model of one hunt, as kept in the state store. Every points.awarded carries the player's total from
/// scoring's ledger with the ledger's version, so the board keeps the total of the highest version seen: a repeated,
/// redelivered or out-of-order award can never count twice or undo a newer total.
/// </summary>
public sealed record StoredBoard(string HuntId, Dictionary<string, PlayerTotal> Players)
{
    public static StoredBoard Empty(string huntId) => new(huntId, new(StringComparer.Ordinal));
}

public sealed record LeaderboardEntry(string PlayerId, long Points, int Rank);

public sealed record LeaderboardView(string HuntId, IReadOnlyList<LeaderboardEntry> Entries);
