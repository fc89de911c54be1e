namespace Veltrix.Scoring.Ledger;

/// <summary>
/// One player's total in one hunt, and a version that grows with every award, so readers (the leaderboard) can tell a
/// newer total from an older one. Small on purpose: it is read and written once per award. Which puzzles earned it
/// is kept one key per award (<see cref="AwardRecord"/>), not in here.
/// </summary>
public sealed record PlayerLedger(string HuntId, string PlayerId, long Points, long Version, int Awards)
{
    public static PlayerLedger Empty(string huntId, string playerId) => new(huntId, playerId, 0, 0, 0);
}

/// <summary>
/// That a player was awarded a puzzle: written once, with first-write concurrency, in the same transaction as the
/// ledger. Its existence is what makes a repeated or redelivered solve award nothing.
/// </summary>
/// <param name="EventId">The CloudEvent id of the solve that earned it.</param>
public sealed record AwardRecord(string PuzzleId, long Points, string EventId);
