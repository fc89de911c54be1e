namespace Veltrix.Leaderboard.Board;

/// <summary>Points descending, then player id; equal points share a rank and the next rank skips (1, 1, 3).</summary>
public static class Ranking
{
    public static LeaderboardView Rank(string huntId, IEnumerable<KeyValuePair<string, PlayerTotal>> players)
    {
        var ordered = players.OrderByDescending(p => p.Value.Points).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var entries = new List<LeaderboardEntry>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var rank = i > 0 && ordered[i].Value.Points == ordered[i - 1].Value.Points ? entries[i - 1].Rank : i + 1;
            entries.Add(new LeaderboardEntry(ordered[i].Key, ordered[i].Value.Points, rank));
        }
        return new LeaderboardView(huntId, entries);
    }
}
