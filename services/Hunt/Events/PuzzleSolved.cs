namespace Veltrix.Hunt.Events;

/// <summary>Published once per (player, puzzle), the first time the player answers it correctly.</summary>
public sealed record PuzzleSolved(string HuntId, string PuzzleId, string PlayerId, int Points, DateTimeOffset SolvedAt);

/// <summary>
/// The event id of a solve, derived from (hunt, puzzle, player): it stays the same if a crash makes hunt publish the
/// solve again, and consumers recognise the repeat.
/// </summary>
public static class SolvedEventId
{
    public static string For(PuzzleSolved solved) => $"solved:{solved.HuntId}:{solved.PuzzleId}:{solved.PlayerId}";
}
