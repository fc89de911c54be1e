namespace Veltrix.Scoring.Events;

/// <summary>What hunt publishes the first time a player solves a puzzle.</summary>
public sealed record PuzzleSolved(string? HuntId, string? PuzzleId, string? PlayerId, long Points, DateTimeOffset SolvedAt);
