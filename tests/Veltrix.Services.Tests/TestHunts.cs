using Veltrix.Hunt.Domain;

namespace Veltrix.Services.Tests;

/// <summary>The hunts the service tests save: one puzzle, worth 10 points, whose answer is "a piano".</summary>
internal static class TestHunts
{
    public static readonly StoredHunt Harbour = new("harbour", "harbour", "salt",
        [new StoredPuzzle("p1", "What has keys but no locks?", AnswerHasher.Hash("a piano", "salt"), 10)]);
}
