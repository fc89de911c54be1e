using System.Text;
using System.Text.Json;
using Veltrix.Hunt.Domain;
using Veltrix.Hunt.Events;
using Veltrix.Testing;

namespace Veltrix.Services.Tests;

/// <summary>
/// Hunt records each solve (first-write) before it publishes it. A batch of first solves is recorded in one transaction and
/// published without reading any marker: two sidecar calls. Only when a marker exists does the transaction fail, and the
/// markers are read to give repeats their first time; the new solves of that batch are recorded then.
/// </summary>
public sealed class SolvesAreRecordedBeforeTheyArePublishedTests
{
    [Fact]
    public async Task A_batch_of_first_solves_is_recorded_in_one_transaction_and_published_without_reading_a_marker()
    {
        await using var system = await ServiceSidecar.StartAsync();
        await system.Hunts.SaveAsync(TestHunts.Harbour, TestContext.Current.CancellationToken);
        system.DaprCalls.Clear();

        Assert.Equal([AnswerOutcome.Correct, AnswerOutcome.Wrong, AnswerOutcome.Correct], await system.Answers.CheckAsync(
            [new AnswerSubmitted("harbour", "p1", "alice", "a piano"), new AnswerSubmitted("harbour", "p1", "carol", "a drum"),
             new AnswerSubmitted("harbour", "p1", "bob", "A Piano")], TestContext.Current.CancellationToken));

        Assert.Equal(["ExecuteStateTransaction"], system.DaprCalls.Methods);
        await Eventually.UntilAsync(() => system.Delivered(ServiceSidecar.SolvedRoute).Count == 2, "both puzzle.solved delivered");
        foreach (var solved in system.Delivered(ServiceSidecar.SolvedRoute))
        {
            var id = solved.GetProperty("id").GetString()!;
            Assert.Equal(solved.GetProperty("data").GetProperty("solvedAt").GetDateTimeOffset(), (await MarkerAsync(system, id))?.SolvedAt);
        }
        Assert.Null(await MarkerAsync(system, "solved:harbour:p1:carol"));
    }

    [Fact]
    public async Task A_batch_with_a_recorded_solve_reads_the_markers_repeats_that_solve_with_its_first_time_and_records_the_new_one()
    {
        await using var system = await ServiceSidecar.StartAsync();
        await system.Hunts.SaveAsync(TestHunts.Harbour, TestContext.Current.CancellationToken);
        // Alice's solve was recorded an hour ago (its event perhaps refused by the sidecar, or lost with it).
        var firstSolvedAt = DateTimeOffset.UtcNow.AddHours(-1);
        const string alice = "solved:harbour:p1:alice";
        await system.Dapr.SaveByteStateAsync("statestore", alice,
            JsonSerializer.SerializeToUtf8Bytes(new SolvedMarker(alice, firstSolvedAt), JsonSerializerOptions.Web), cancellationToken: TestContext.Current.CancellationToken);
        system.DaprCalls.Clear();

        Assert.Equal([AnswerOutcome.Correct, AnswerOutcome.Correct], await system.Answers.CheckAsync(
            [new AnswerSubmitted("harbour", "p1", "alice", "a piano"), new AnswerSubmitted("harbour", "p1", "dave", "a piano")],
            TestContext.Current.CancellationToken));

        // The transaction of both markers fails whole on alice's; the read finds it; dave's marker alone is written.
        Assert.Equal(["ExecuteStateTransaction", "GetBulkState", "ExecuteStateTransaction"], system.DaprCalls.Methods);
        await Eventually.UntilAsync(() => system.Delivered(ServiceSidecar.SolvedRoute).Count == 2, "both puzzle.solved delivered");
        var solved = system.Delivered(ServiceSidecar.SolvedRoute).ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("data").GetProperty("solvedAt").GetDateTimeOffset());
        Assert.Equal(firstSolvedAt, solved[alice]);
        Assert.Equal(firstSolvedAt, (await MarkerAsync(system, alice))?.SolvedAt);
        Assert.True(solved["solved:harbour:p1:dave"] > firstSolvedAt);
        Assert.Equal(solved["solved:harbour:p1:dave"], (await MarkerAsync(system, "solved:harbour:p1:dave"))?.SolvedAt);
    }

    private static async Task<SolvedMarker?> MarkerAsync(ServiceSidecar system, string id)
    {
        var bytes = await system.Dapr.GetByteStateAsync("statestore", id, cancellationToken: TestContext.Current.CancellationToken);
        return bytes.IsEmpty ? null : JsonSerializer.Deserialize<SolvedMarker>(Encoding.UTF8.GetString(bytes.Span), JsonSerializerOptions.Web);
    }
}
