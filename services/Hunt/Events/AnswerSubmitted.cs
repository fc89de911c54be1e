namespace Veltrix.Hunt.Events;

/// <summary>A player's answer, as the gateway publishes it.</summary>
public sealed record AnswerSubmitted(string? HuntId, string? PuzzleId, string? PlayerId, string? Answer);
