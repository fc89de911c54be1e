using System.Text;
using System.Text.Json;
using Veltrix.Hunt.Domain;
using Veltrix.Hunt.Events;
using Veltrix.Scoring.Ledger;
using Veltrix.Testing;
using ScoringSolve = Veltrix.Scoring.Events.PuzzleSolved;

namespace Veltrix.Services.Tests;

/// <summary>
/// Issue 16: a sidecar crash lost accepted solves that sat in the embedded in-memory broker, and a resend of the answer
/// did not bring them back because hunt had already recorded the solve. Now the resend publishes the recorded solve again
/// with the same CloudEvent id, and scoring, keyed by (hunt, player, puzzle), still counts it once.
/// </summary>
public sealed class ResendRepairsLostSolveTests
{
    [Fact]
    public async Task A_resent_answer_whose_solve_was_recorded_but_never_delivered_publishes_it_again_with_the_same_id_and_scoring_counts_it_once()
    {
        await using var system = await ServiceSidecar.StartAsync();
        await system.Hunts.SaveAsync(TestHunts.Harbour, TestContext.Current.CancellationToken);
        // What a crash leaves: the solve was accepted by the sidecar and recorded by hunt (a marker in the format written
        // before this change, without the solve time), and the event died with the in-memory broker.
        const string id = "solved:harbour:p1:alice";
        await system.Dapr.SaveByteStateAsync("statestore", id, Encoding.UTF8.GetBytes($$"""{"eventId":"{{id}}"}"""),
            cancellationToken: TestContext.Current.CancellationToken);

        var outcome = await system.Answers.CheckAsync([new AnswerSubmitted("harbour", "p1", "alice", " A Piano ")], TestContext.Current.CancellationToken);
        Assert.Equal([AnswerOutcome.Correct], outcome);
        await Eventually.UntilAsync(() => system.Delivered(ServiceSidecar.SolvedRoute).Count == 1, "the resend's puzzle.solved is delivered");

        // The player sends it once more (the gateway's client retried too): the same event again.
        await system.Answers.CheckAsync([new AnswerSubmitted("harbour", "p1", "alice", "a piano")], TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => system.Delivered(ServiceSidecar.SolvedRoute).Count == 2, "the second resend's puzzle.solved is delivered");

        var solved = system.Delivered(ServiceSidecar.SolvedRoute);
        Assert.All(solved, e => Assert.Equal((id, "puzzle.solved", "hunt"),
            (e.GetProperty("id").GetString(), e.GetProperty("type").GetString(), e.GetProperty("source").GetString())));
        Assert.All(solved, e => Assert.Equal(10, e.GetProperty("data").GetProperty("points").GetInt64()));

        // Scoring applies what was delivered, as its subscription does (event id, data): one award, 10 points.
        foreach (var e in solved)
            Assert.NotEqual([SolveOutcome.Retry], await system.Ledgers.ApplyAsync([Solve(e)], TestContext.Current.CancellationToken));
        var ledger = await system.Ledgers.FindAsync("harbour", "alice", TestContext.Current.CancellationToken);
        Assert.Equal((10L, 1, 1L), (ledger!.Points, ledger.Awards, ledger.Version));
    }

    [Fact]
    public async Task A_resend_of_a_solve_that_was_delivered_repeats_the_first_event_id_and_time_and_awards_nothing_more()
    {
        await using var system = await ServiceSidecar.StartAsync();
        await system.Hunts.SaveAsync(TestHunts.Harbour, TestContext.Current.CancellationToken);

        await system.Answers.CheckAsync([new AnswerSubmitted("harbour", "p1", "bob", "a piano")], TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => system.Delivered(ServiceSidecar.SolvedRoute).Count == 1, "the first puzzle.solved is delivered");
        var first = system.Delivered(ServiceSidecar.SolvedRoute)[0];
        Assert.Equal([SolveOutcome.Awarded], await system.Ledgers.ApplyAsync([Solve(first)], TestContext.Current.CancellationToken));

        // A wrong answer publishes nothing; the resent correct one publishes the first solve again.
        Assert.Equal([AnswerOutcome.Wrong, AnswerOutcome.Correct], await system.Answers.CheckAsync(
            [new AnswerSubmitted("harbour", "p1", "bob", "a drum"), new AnswerSubmitted("harbour", "p1", "bob", "a piano")], TestContext.Current.CancellationToken));
        await Eventually.UntilAsync(() => system.Delivered(ServiceSidecar.SolvedRoute).Count == 2, "the resend's puzzle.solved is delivered");
        var repeat = system.Delivered(ServiceSidecar.SolvedRoute)[1];

        Assert.Equal(first.GetProperty("id").GetString(), repeat.GetProperty("id").GetString());
        Assert.Equal(first.GetProperty("data").GetProperty("solvedAt").GetDateTimeOffset(), repeat.GetProperty("data").GetProperty("solvedAt").GetDateTimeOffset());
        Assert.Equal([SolveOutcome.Duplicate], await system.Ledgers.ApplyAsync([Solve(repeat)], TestContext.Current.CancellationToken));
        var ledger = await system.Ledgers.FindAsync("harbour", "bob", TestContext.Current.CancellationToken);
        Assert.Equal((10L, 1), (ledger!.Points, ledger.Awards));
    }

    private static (string EventId, ScoringSolve Solve) Solve(JsonElement cloudEvent) =>
        (cloudEvent.GetProperty("id").GetString()!, cloudEvent.GetProperty("data").Deserialize<ScoringSolve>(JsonSerializerOptions.Web)!);
}
