namespace Veltrix.Leaderboard.Events;

/// <summary>What scoring publishes when a player earns a puzzle's points: the new total and the ledger version it belongs to.</summary>
public sealed record PointsAwarded(string? HuntId, string? PlayerId, string? PuzzleId, long Points, long Total, long Version);
