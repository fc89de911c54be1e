using System.Text.Json.Serialization;

namespace Veltrix.Hunt.Events;

/// <summary>Published once per (player, puzzle), the first time the player answers it correctly.</summary>
public sealed record PuzzleSolved(string HuntId, string PuzzleId, string PlayerId, int Points, DateTimeOffset SolvedAt);

/// <summary>
/// puzzle.solved as a complete CloudEvent, so its id is ours: derived from (hunt, puzzle, player), it stays the same
/// if a crash makes hunt publish the solve again, and consumers recognise the repeat.
/// </summary>
public sealed record SolvedCloudEvent(
    [property: JsonPropertyName("specversion")] string SpecVersion,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("datacontenttype")] string DataContentType,
    [property: JsonPropertyName("data")] PuzzleSolved Data)
{
    public static SolvedCloudEvent For(PuzzleSolved solved) =>
        new("1.0", $"solved:{solved.HuntId}:{solved.PuzzleId}:{solved.PlayerId}", "hunt", Topics.PuzzleSolved, "application/json", solved);
}
