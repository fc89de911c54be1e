namespace Veltrix.Leaderboard.Board;

/// <summary>
/// Collects how pages of a board differ from how live pages were shown them, page by page, into one
/// <see cref="BoardChange"/>: a player whose points differ or who is new, and a player no longer on the page. A version
/// that moved without the points changing is nothing a page shows.
/// </summary>
internal sealed class PageChanges
{
    private List<PlayerPoints>? _totals;
    private List<string>? _removed;

    public void Add(BoardPage? shown, BoardPage now)
    {
        if (ReferenceEquals(shown, now)) return;
        foreach (var (player, total) in now.Players)
            if (shown is null || !shown.Players.TryGetValue(player, out var was) || was.Points != total.Points)
                (_totals ??= []).Add(new PlayerPoints(player, total.Points));
        if (shown is null) return;
        foreach (var player in shown.Players.Keys)
            if (!now.Players.ContainsKey(player)) (_removed ??= []).Add(player);
    }

    /// <summary>Sends what was collected, if anything, to the hunt's started viewers.</summary>
    public void PublishTo(BoardChanges changes, string huntId)
    {
        if (_totals is null && _removed is null) return;
        changes.Publish(new BoardChange(huntId, _totals ?? [], _removed ?? []));
    }
}
