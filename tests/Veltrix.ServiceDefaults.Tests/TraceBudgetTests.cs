using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry.Trace;
using Veltrix.ServiceDefaults.Telemetry;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>
/// The trace budget every service samples with: new traces are recorded up to Telemetry:TracesPerSecond, the rest are
/// not, and a trace begun upstream follows the decision its traceparent carries (so a trace is whole or absent).
/// </summary>
public sealed class TraceBudgetTests
{
    private static readonly ActivityTraceId TraceId = ActivityTraceId.CreateRandom();

    private static SamplingDecision Root(Sampler sampler, ActivityKind kind = ActivityKind.Server) =>
        sampler.ShouldSample(new SamplingParameters(default, ActivityTraceId.CreateRandom(), "POST /v1/events", kind)).Decision;

    private static SamplingDecision Child(Sampler sampler, bool parentSampled) =>
        sampler.ShouldSample(new SamplingParameters(
            new ActivityContext(TraceId, ActivitySpanId.CreateRandom(), parentSampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, isRemote: true),
            TraceId, "answer.submitted process", ActivityKind.Consumer)).Decision;

    [Fact]
    public void A_flood_of_new_traces_records_one_seconds_budget_then_as_many_a_second_as_the_budget_allows()
    {
        var time = new FakeTimeProvider();
        var sampler = new TraceBudgetSampler(3, time);

        var first = Enumerable.Range(0, 100).Select(_ => Root(sampler)).ToList();
        Assert.Equal(3, first.Count(d => d == SamplingDecision.RecordAndSample));
        Assert.Equal([SamplingDecision.RecordAndSample, SamplingDecision.RecordAndSample, SamplingDecision.RecordAndSample], first.Take(3));

        time.Advance(TimeSpan.FromMilliseconds(700)); // 2.1 traces' worth
        Assert.Equal(2, Enumerable.Range(0, 100).Count(_ => Root(sampler) == SamplingDecision.RecordAndSample));

        time.Advance(TimeSpan.FromMinutes(10)); // a quiet spell refills one second's worth, no more
        Assert.Equal(3, Enumerable.Range(0, 100).Count(_ => Root(sampler) == SamplingDecision.RecordAndSample));
    }

    [Fact]
    public void A_budget_below_one_a_second_records_the_first_new_trace_then_one_per_its_interval()
    {
        var time = new FakeTimeProvider();
        var sampler = new TraceBudgetSampler(0.2, time); // one every five seconds

        Assert.Equal(SamplingDecision.RecordAndSample, Root(sampler));
        Assert.Equal(SamplingDecision.Drop, Root(sampler));
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(SamplingDecision.Drop, Root(sampler));
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(SamplingDecision.RecordAndSample, Root(sampler));
        time.Advance(TimeSpan.FromMinutes(10)); // a long quiet spell still holds one trace, not 120
        Assert.Equal(1, Enumerable.Range(0, 10).Count(_ => Root(sampler) == SamplingDecision.RecordAndSample));
    }

    [Fact]
    public void What_the_service_starts_on_its_own_spends_a_budget_of_its_own_not_the_one_of_requests()
    {
        var time = new FakeTimeProvider();
        var sampler = new TraceBudgetSampler(1, time);

        Assert.Equal(SamplingDecision.RecordAndSample, Root(sampler, ActivityKind.Client)); // a timer's poll of the sidecar
        Assert.Equal(SamplingDecision.Drop, Root(sampler, ActivityKind.Internal));
        Assert.Equal(SamplingDecision.RecordAndSample, Root(sampler, ActivityKind.Server)); // a person's request right after
        Assert.Equal(SamplingDecision.Drop, Root(sampler, ActivityKind.Consumer));
    }

    [Fact]
    public void A_budget_of_zero_starts_no_trace_of_its_own()
    {
        var time = new FakeTimeProvider();
        var sampler = new TraceBudgetSampler(0, time);
        time.Advance(TimeSpan.FromHours(1));
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(SamplingDecision.Drop, Root(sampler)));
    }

    [Fact]
    public void Behind_the_parent_based_sampler_a_trace_begun_upstream_is_recorded_or_not_as_its_traceparent_says_whatever_is_left_of_the_budget()
    {
        var time = new FakeTimeProvider();
        var sampler = new ParentBasedSampler(new TraceBudgetSampler(1, time));
        Assert.Equal(SamplingDecision.RecordAndSample, Root(sampler));
        Assert.Equal(SamplingDecision.Drop, Root(sampler)); // the budget is spent

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(SamplingDecision.RecordAndSample, Child(sampler, parentSampled: true)));
        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(SamplingDecision.Drop, Child(sampler, parentSampled: false)));

        time.Advance(TimeSpan.FromSeconds(1)); // followed traces took nothing from the budget
        Assert.Equal(SamplingDecision.RecordAndSample, Root(sampler));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("many")]
    [InlineData("NaN")]
    public async Task A_service_whose_trace_budget_is_not_a_number_of_zero_or_more_refuses_to_start_with_VX3019(string value)
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestService.StartAsync(settings: new Dictionary<string, string?> { ["Telemetry:TracesPerSecond"] = value }));
        Assert.StartsWith("VX3019 Telemetry:TracesPerSecond is '" + value + "'", failure.Message, StringComparison.Ordinal);
    }
}
