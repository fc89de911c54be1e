namespace Veltrix.Hunt.Apis;

public sealed record CreatePuzzle(string? Question, string? Answer, long? Points);

public sealed record CreateHuntRequest(string? Name, IReadOnlyList<CreatePuzzle>? Puzzles);

/// <summary>A hunt as players see it: never the answers.</summary>
public sealed record PuzzleView(string Id, string Question, long Points);

public sealed record HuntView(string Id, string Name, IReadOnlyList<PuzzleView> Puzzles);

public sealed record SubmitAnswerRequest(string? PlayerId, string? Answer);

public sealed record AnswerResult(bool Correct);

public sealed record JoinRequest(string? PlayerId);

/// <summary>The answer to a join: the player's token, shown to this join (and to its repeats with the same idempotency key); hunt keeps only its hash.</summary>
public sealed record JoinedPlayer(string HuntId, string PlayerId, string Token);
