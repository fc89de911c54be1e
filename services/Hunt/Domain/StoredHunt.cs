namespace Veltrix.Hunt.Domain;

/// <summary>A puzzle as stored: the answer only as a salted hash.</summary>
public sealed record StoredPuzzle(string Id, string Question, string AnswerHash, long Points);

public sealed record StoredHunt(string Id, string Name, string Salt, IReadOnlyList<StoredPuzzle> Puzzles)
{
    public StoredPuzzle? Puzzle(string puzzleId) => Puzzles.FirstOrDefault(p => p.Id == puzzleId);
}

/// <summary>
/// Written first-write when a (player, puzzle) is first answered correctly, before its solve is published: every later
/// correct answer publishes the same solve again (same id, this <see cref="SolvedAt"/>) rather than a new one. Markers
/// written before <see cref="SolvedAt"/> existed read with it null, and the repeat then carries the time of the resend.
/// </summary>
public sealed record SolvedMarker(string EventId, DateTimeOffset? SolvedAt = null);
