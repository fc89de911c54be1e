namespace Veltrix.Leaderboard.Board;

/// <summary>A player's total as of a version of their ledger in scoring.</summary>
public sealed record PlayerTotal(long Points, long Version);

/// <summary>
/// One page of a hunt's board, as kept in the state store (key <see cref="BoardPages.Key"/>): the players whose id
/// hashes to this page (<see cref="BoardPages.Of"/>). Every points.awarded carries the player's total from scoring's
/// ledger with the ledger's version, so the page keeps the total of the highest version seen: a repeated, redelivered
/// or out-of-order award can never count twice or undo a newer total.
/// </summary>
public sealed record BoardPage(string HuntId, int Page, Dictionary<string, PlayerTotal> Players)
{
    public static BoardPage Empty(string huntId, int page) => new(huntId, page, new(StringComparer.Ordinal));
}

public sealed record LeaderboardEntry(string PlayerId, long Points, int Rank);

public sealed record LeaderboardView(string HuntId, IReadOnlyList<LeaderboardEntry> Entries);
