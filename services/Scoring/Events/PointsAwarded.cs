using System.Text.Json.Serialization;

namespace Veltrix.Scoring.Events;

/// <summary>
/// Points a player earned for one puzzle, and the player's total in that hunt with the ledger version it belongs to
/// (a higher version is a newer total).
/// </summary>
public sealed record PointsAwarded(string HuntId, string PlayerId, string PuzzleId, int Points, int Total, long Version);

/// <summary>
/// points.awarded as a complete CloudEvent whose id is derived from (hunt, puzzle, player): a repeat after a crash
/// carries the same id, and the leaderboard counts it once.
/// </summary>
public sealed record AwardedCloudEvent(
    [property: JsonPropertyName("specversion")] string SpecVersion,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("datacontenttype")] string DataContentType,
    [property: JsonPropertyName("data")] PointsAwarded Data)
{
    public static AwardedCloudEvent For(PointsAwarded awarded) =>
        new("1.0", $"awarded:{awarded.HuntId}:{awarded.PuzzleId}:{awarded.PlayerId}", "scoring", Topics.PointsAwarded, "application/json", awarded);
}
