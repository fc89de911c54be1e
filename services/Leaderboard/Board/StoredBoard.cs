namespace Veltrix.Leaderboard.Board;

/// <summary>A player's standing: the points and the puzzles they came from (so a repeated award never counts twice).</summary>
public sealed record PlayerScore(int Points, List<string> Puzzles);

/// <summary>The read model of one hunt, as kept in the state store.</summary>
public sealed record StoredBoard(string HuntId, Dictionary<string, PlayerScore> Players)
{
    public static StoredBoard Empty(string huntId) => new(huntId, new(StringComparer.Ordinal));
}

public sealed record LeaderboardEntry(string PlayerId, int Points, int Rank);

public sealed record LeaderboardView(string HuntId, IReadOnlyList<LeaderboardEntry> Entries);
