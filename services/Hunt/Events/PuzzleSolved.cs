namespace Veltrix.Hunt.Events;

/// <summary>
/// A player solved a puzzle: published with the same id (<see cref="SolvedEventId"/>) and the first solve's time for every
/// correct answer to it, so a resend repairs a solve a crashed sidecar lost; consumers count one solve per id.
/// </summary>
public sealed record PuzzleSolved(string HuntId, string PuzzleId, string PlayerId, long Points, DateTimeOffset SolvedAt);

/// <summary>
/// The event id of a solve, derived from (hunt, puzzle, player): it stays the same if a crash makes hunt publish the
/// solve again, and consumers recognise the repeat.
/// </summary>
public static class SolvedEventId
{
    public static string For(PuzzleSolved solved) => $"solved:{solved.HuntId}:{solved.PuzzleId}:{solved.PlayerId}";
}
