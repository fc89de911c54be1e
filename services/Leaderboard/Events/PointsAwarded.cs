namespace Veltrix.Leaderboard.Events;

/// <summary>What scoring publishes when a player earns a puzzle's points.</summary>
public sealed record PointsAwarded(string? HuntId, string? PlayerId, string? PuzzleId, int Points, int Total);
