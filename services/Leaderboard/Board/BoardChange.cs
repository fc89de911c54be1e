using System.Text.Json;

namespace Veltrix.Leaderboard.Board;

/// <summary>A player's total as a live page shows it.</summary>
public sealed record PlayerPoints(string PlayerId, long Points);

/// <summary>
/// What changed on a hunt's board since the last change a live page was sent: the new totals of the players whose
/// points changed, and the players no longer on the board. The page ranks the board itself (<see cref="Ranking"/>'s
/// rule), so a change costs what the batch changed, not what the board holds.
/// </summary>
public sealed record BoardChange(string HuntId, IReadOnlyList<PlayerPoints> Totals, IReadOnlyList<string> Removed)
{
    /// <summary>
    /// The changes in order as one: each player's last total, and a player removed unless a later change gave them a
    /// total again. Sent to a page in place of the changes, it leaves the page as they would have.
    /// </summary>
    public static BoardChange Fold(IReadOnlyList<BoardChange> changes)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        var removed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            foreach (var total in change.Totals)
            {
                totals[total.PlayerId] = total.Points;
                removed.Remove(total.PlayerId);
            }
            foreach (var player in change.Removed)
            {
                totals.Remove(player);
                removed.Add(player);
            }
        }
        return new BoardChange(changes[0].HuntId, totals.Select(t => new PlayerPoints(t.Key, t.Value)).ToList(), removed.ToList());
    }
}

/// <summary>A change with its JSON, written once however many pages it is sent to.</summary>
public sealed class LiveChange(BoardChange change)
{
    public BoardChange Change => change;

    public byte[] Json { get; } = JsonSerializer.SerializeToUtf8Bytes(change, LeaderboardJson.Default.BoardChange);
}
