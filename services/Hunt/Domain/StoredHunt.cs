namespace Veltrix.Hunt.Domain;

/// <summary>A puzzle as stored: the answer only as a salted hash.</summary>
public sealed record StoredPuzzle(string Id, string Question, string AnswerHash, int Points);

public sealed record StoredHunt(string Id, string Name, string Salt, IReadOnlyList<StoredPuzzle> Puzzles)
{
    public StoredPuzzle? Puzzle(string puzzleId) => Puzzles.FirstOrDefault(p => p.Id == puzzleId);
}

/// <summary>Written once a (player, puzzle) solve has been published, so later correct answers publish nothing.</summary>
public sealed record SolvedMarker(string EventId);
