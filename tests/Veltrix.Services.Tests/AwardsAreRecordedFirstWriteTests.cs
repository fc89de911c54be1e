using Veltrix.Scoring.Events;
using Veltrix.Scoring.Ledger;
using Veltrix.Testing;

namespace Veltrix.Services.Tests;

/// <summary>
/// Scoring takes a batch's solves as new and does not read their award records: each award is written first-write in the
/// transaction with the ledgers, so a solve already awarded fails that transaction, and only then are the award records
/// read, the batch applied again and the solve answered as a duplicate.
/// </summary>
public sealed class AwardsAreRecordedFirstWriteTests
{
    [Fact]
    public async Task A_batch_of_new_solves_reads_only_the_ledgers_and_a_redelivered_one_is_found_by_its_award_and_counted_once()
    {
        await using var system = await ServiceSidecar.StartAsync();
        var now = DateTimeOffset.UtcNow;
        (string, PuzzleSolved) Solve(string player, string puzzle, long points) =>
            ($"solved:harbour:{puzzle}:{player}", new PuzzleSolved("harbour", puzzle, player, points, now));

        Assert.Equal([SolveOutcome.Awarded, SolveOutcome.Awarded, SolveOutcome.Awarded], await system.Ledgers.ApplyAsync(
            [Solve("alice", "p1", 10), Solve("bob", "p1", 10), Solve("alice", "p2", 5)], TestContext.Current.CancellationToken));
        Assert.Equal(["GetBulkState", "ExecuteStateTransaction"], system.DaprCalls.Methods);

        // Alice's p2 again (a redelivery) with carol's first solve: the first round's transaction fails on alice's award,
        // the second reads the awards and writes carol's alone.
        system.DaprCalls.Clear();
        Assert.Equal([SolveOutcome.Duplicate, SolveOutcome.Awarded], await system.Ledgers.ApplyAsync(
            [Solve("alice", "p2", 5), Solve("carol", "p1", 10)], TestContext.Current.CancellationToken));
        // (The second round's two reads, ledgers and awards, run side by side.)
        Assert.Equal(["GetBulkState", "ExecuteStateTransaction", "GetBulkState", "GetBulkState", "ExecuteStateTransaction"], system.DaprCalls.Methods);

        var alice = await system.Ledgers.FindAsync("harbour", "alice", TestContext.Current.CancellationToken);
        var carol = await system.Ledgers.FindAsync("harbour", "carol", TestContext.Current.CancellationToken);
        Assert.Equal((15L, 2, 2L), (alice!.Points, alice.Awards, alice.Version));
        Assert.Equal((10L, 1, 1L), (carol!.Points, carol.Awards, carol.Version));
    }
}
