namespace Veltrix.Scoring.Events;

/// <summary>
/// Points a player earned for one puzzle, and the player's total in that hunt with the ledger version it belongs to
/// (a higher version is a newer total).
/// </summary>
public sealed record PointsAwarded(string HuntId, string PlayerId, string PuzzleId, long Points, long Total, long Version);

/// <summary>
/// The event id of an award, derived from (hunt, puzzle, player): a repeat after a crash carries the same id, and the
/// leaderboard counts it once.
/// </summary>
public static class AwardedEventId
{
    public static string For(PointsAwarded awarded) => $"awarded:{awarded.HuntId}:{awarded.PuzzleId}:{awarded.PlayerId}";
}
