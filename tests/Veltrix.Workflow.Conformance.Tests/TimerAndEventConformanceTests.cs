using Veltrix.Testing;
using System.Diagnostics;
using System.Globalization;
using Dapr.Workflow;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>Checklist items 24, 25, 29, 30, 35 and 39: durable timers, external events, custom status, suspend/resume, scheduled start.</summary>
public sealed class TimerAndEventConformanceTests
{
    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item24_a_timer_completes_no_earlier_than_its_delay(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var clock = Stopwatch.StartNew();
        var done = await harness.RunAsync("Timer", 1500);
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(1500), $"completed after {clock.Elapsed}");
        // The replayed clock (WorkflowStarted timestamps) moved by at least the delay too.
        Assert.True(double.Parse(done.ReadOutputAs<string>()!, CultureInfo.InvariantCulture) >= 1500);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item25_external_events_time_out_arrive_match_case_insensitively_and_are_buffered(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var client = harness.Client;

        var timedOut = await harness.RunAsync("Approval", 300);
        Assert.Equal("timed out", timedOut.ReadOutputAs<string>());

        var raised = await client.ScheduleNewWorkflowAsync("Approval", WorkflowHarness.NewId(), 30_000);
        await client.RaiseEventAsync(raised, "APPROVE", "yes"); // other case than the wait's name
        Assert.Equal("yes", (await client.WaitForWorkflowCompletionAsync(raised, true, Deadline.After())).ReadOutputAs<string>());

        // Raised before anyone waits: the activity runs first, the events wait in the instance.
        var early = await client.ScheduleNewWorkflowAsync("TwoEvents", WorkflowHarness.NewId(), "x");
        await client.RaiseEventAsync(early, "a", "first");
        await client.RaiseEventAsync(early, "b", "second");
        Assert.Equal(["first", "second"], (await client.WaitForWorkflowCompletionAsync(early, true, Deadline.After())).ReadOutputAs<string[]>()!);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item29_custom_status_is_visible_while_running(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var id = await harness.Client.ScheduleNewWorkflowAsync("Status", WorkflowHarness.NewId(), "");
        await Eventually.UntilAsync(async () => (await harness.Client.GetWorkflowStateAsync(id)).ReadCustomStatusAs<StageStatus>()?.Stage == "waiting", "custom status");
        Assert.Equal(WorkflowRuntimeStatus.Running, (await harness.Client.GetWorkflowStateAsync(id)).RuntimeStatus);
        await harness.Client.RaiseEventAsync(id, "go", "done");
        Assert.Equal("done", (await harness.Client.WaitForWorkflowCompletionAsync(id, true, Deadline.After())).ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item30_an_event_raised_while_suspended_is_processed_after_resume(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var client = harness.Client;
        var id = await client.ScheduleNewWorkflowAsync("WaitForGo", WorkflowHarness.NewId(), "");
        await client.SuspendWorkflowAsync(id, "hold");
        Assert.Equal(WorkflowRuntimeStatus.Suspended, (await client.GetWorkflowStateAsync(id)).RuntimeStatus);
        await client.RaiseEventAsync(id, "go", "later");
        // Still suspended: the event was recorded but the workflow did not finish.
        await harness.UntilStatusAsync(id, WorkflowRuntimeStatus.Suspended);
        Assert.Equal(WorkflowRuntimeStatus.Suspended, (await client.GetWorkflowStateAsync(id)).RuntimeStatus);
        await client.ResumeWorkflowAsync(id, "go on");
        var done = await client.WaitForWorkflowCompletionAsync(id, true, Deadline.After());
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("later", done.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item35_a_scheduled_start_stays_pending_until_its_time(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var startAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var id = await harness.Client.ScheduleNewWorkflowAsync("Sequence", WorkflowHarness.NewId(), "s", startAt);
        Assert.Equal(WorkflowRuntimeStatus.Pending, (await harness.Client.GetWorkflowStateAsync(id)).RuntimeStatus);
        var done = await harness.Client.WaitForWorkflowCompletionAsync(id, true, Deadline.After());
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.True(DateTimeOffset.UtcNow >= startAt, "ran before its scheduled start");
        Assert.True(done.LastUpdatedAt >= startAt.UtcDateTime.AddMilliseconds(-50), $"last update {done.LastUpdatedAt:O} before {startAt:O}");
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item39_concurrent_events_during_a_turn_are_all_delivered_once(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        for (var round = 0; round < 3; round++)
        {
            var id = await harness.Client.ScheduleNewWorkflowAsync("TwoEvents", WorkflowHarness.NewId(), "x");
            await Task.WhenAll(harness.Client.RaiseEventAsync(id, "b", "B"), harness.Client.RaiseEventAsync(id, "a", "A"));
            var done = await harness.Client.WaitForWorkflowCompletionAsync(id, true, Deadline.After());
            Assert.Equal(["A", "B"], done.ReadOutputAs<string[]>()!);
            var raised = (await harness.Client.GetInstanceHistoryAsync(id, TestContext.Current.CancellationToken)).Count(e => e.EventType == Dapr.Workflow.Client.WorkflowHistoryEventType.EventRaised);
            Assert.Equal(2, raised);
        }
    }

    private sealed record StageStatus(string Stage);
}
