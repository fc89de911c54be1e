using System.Diagnostics;
using System.Text.Json;
using Veltrix.Hunt.Domain;
using Veltrix.Hunt.Events;
using Veltrix.Scoring.Ledger;
using Veltrix.Testing;
using ScoringSolve = Veltrix.Scoring.Events.PuzzleSolved;

namespace Veltrix.Services.Tests;

/// <summary>
/// Issue 12, one answer is one trace: hunt checks a batch of answers and publishes their solves in one call, scoring
/// applies a batch of solves and publishes their awards in one call — yet each event the sidecar delivers carries the
/// trace of the answer (or solve) that caused it, parented by that event's span, not the batch's nor its neighbour's.
/// </summary>
public sealed class EachSolveContinuesItsAnswersTraceTests
{
    [Fact]
    public async Task Solves_and_awards_published_in_one_call_each_carry_the_traceparent_of_their_own_cause()
    {
        await using var system = await ServiceSidecar.StartAsync();
        await system.Hunts.SaveAsync(TestHunts.Harbour, TestContext.Current.CancellationToken);
        var alice = NewSpan();
        var bob = NewSpan();

        // The process spans of two answer.submitted entries of one bulk delivery, as IncomingEvent.Trace hands them over.
        Assert.Equal([AnswerOutcome.Correct, AnswerOutcome.Correct], await system.Answers.CheckAsync(
            [new AnswerSubmitted("harbour", "p1", "alice", "a piano"), new AnswerSubmitted("harbour", "p1", "bob", "a piano")], [alice, bob],
            TestContext.Current.CancellationToken));
        await Eventually.UntilAsync(() => system.Delivered(ServiceSidecar.SolvedRoute).Count == 2, "both puzzle.solved delivered");
        var solved = system.Delivered(ServiceSidecar.SolvedRoute);
        var aliceSolved = solved.Single(e => e.GetProperty("id").GetString() == "solved:harbour:p1:alice");
        var bobSolved = solved.Single(e => e.GetProperty("id").GetString() == "solved:harbour:p1:bob");
        Assert.Equal(TraceParent(alice), aliceSolved.GetProperty("traceparent").GetString());
        Assert.Equal(TraceParent(bob), bobSolved.GetProperty("traceparent").GetString());

        // Scoring, given the solves' own process spans (in their answers' traces), awards in one call: each award follows its solve.
        var aliceSolve = new ActivityContext(alice.TraceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var bobSolve = new ActivityContext(bob.TraceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        Assert.Equal([SolveOutcome.Awarded, SolveOutcome.Awarded], await system.Ledgers.ApplyAsync([Solve(aliceSolved), Solve(bobSolved)], [aliceSolve, bobSolve],
            TestContext.Current.CancellationToken));
        await Eventually.UntilAsync(() => system.Delivered(ServiceSidecar.AwardedRoute).Count == 2, "both points.awarded delivered");
        var awarded = system.Delivered(ServiceSidecar.AwardedRoute);
        Assert.Equal(TraceParent(aliceSolve), awarded.Single(e => e.GetProperty("data").GetProperty("playerId").GetString() == "alice").GetProperty("traceparent").GetString());
        Assert.Equal(TraceParent(bobSolve), awarded.Single(e => e.GetProperty("data").GetProperty("playerId").GetString() == "bob").GetProperty("traceparent").GetString());
    }

    private static ActivityContext NewSpan() => new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

    private static string TraceParent(ActivityContext span) => $"00-{span.TraceId}-{span.SpanId}-01";

    private static (string EventId, ScoringSolve Solve) Solve(JsonElement cloudEvent) =>
        (cloudEvent.GetProperty("id").GetString()!, cloudEvent.GetProperty("data").Deserialize<ScoringSolve>(JsonSerializerOptions.Web)!);
}
