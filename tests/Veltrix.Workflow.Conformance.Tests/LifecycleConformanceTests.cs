using Veltrix.Testing;
using Dapr.Workflow;
using Dapr.Workflow.Client;
using Grpc.Core;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>Checklist items 27, 28, 31–34 and 38: children, continue-as-new, terminate, ID reuse, missing instances, purge, determinism.</summary>
public sealed class LifecycleConformanceTests
{
    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item27_a_child_workflow_returns_its_result_or_its_failure_under_the_given_id(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var childId = WorkflowHarness.NewId();
        var ok = await harness.RunAsync("Parent", new TestWorkflows.ChildCall(childId, false));
        Assert.Equal("child+++", ok.ReadOutputAs<string>());
        var child = await harness.Client.GetWorkflowStateAsync(childId);
        Assert.Equal(WorkflowRuntimeStatus.Completed, child.RuntimeStatus);
        Assert.Equal("Sequence", child.WorkflowName);

        var failingId = WorkflowHarness.NewId();
        var failed = await harness.RunAsync("Parent", new TestWorkflows.ChildCall(failingId, true));
        Assert.Equal(WorkflowRuntimeStatus.Completed, failed.RuntimeStatus);
        Assert.StartsWith("child failed: ", failed.ReadOutputAs<string>(), StringComparison.Ordinal);
        Assert.Equal(WorkflowRuntimeStatus.Failed, (await harness.Client.GetWorkflowStateAsync(failingId)).RuntimeStatus);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item28_continue_as_new_loops_keeps_only_the_last_generation_and_carries_events_over(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var id = await harness.Client.ScheduleNewWorkflowAsync("Loop", WorkflowHarness.NewId(), 0);
        await harness.Client.RaiseEventAsync(id, "extra", 100); // raised during the loop: carried over to the generation that waits for it
        var done = await harness.Client.WaitForWorkflowCompletionAsync(id, true, Deadline.After());
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(103, done.ReadOutputAs<int>());
        var history = await harness.Client.GetInstanceHistoryAsync(id, TestContext.Current.CancellationToken);
        Assert.Single(history, e => e.EventType == WorkflowHistoryEventType.ExecutionStarted);
        Assert.DoesNotContain(history, e => e.EventType == WorkflowHistoryEventType.TimerCreated); // the last generation makes no timer
        Assert.Equal(3, done.ReadInputAs<int>());
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item31_terminate_ends_a_waiting_workflow_and_its_children(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var childId = WorkflowHarness.NewId();
        var id = await harness.Client.ScheduleNewWorkflowAsync("ParentOfWaiter", WorkflowHarness.NewId(), childId);
        await harness.UntilStatusAsync(childId, WorkflowRuntimeStatus.Running);
        await harness.Client.TerminateWorkflowAsync(id, "stop");
        Assert.Equal(WorkflowRuntimeStatus.Terminated, (await harness.Client.GetWorkflowStateAsync(id)).RuntimeStatus);
        await harness.UntilStatusAsync(childId, WorkflowRuntimeStatus.Terminated);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item31_terminate_ends_an_instance_whose_scheduled_start_is_not_due(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var id = await harness.Client.ScheduleNewWorkflowAsync("Sequence", WorkflowHarness.NewId(), "never", DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(WorkflowRuntimeStatus.Pending, (await harness.Client.GetWorkflowStateAsync(id)).RuntimeStatus);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await harness.Client.TerminateWorkflowAsync(id, "stop", deadline.Token);
        var state = await harness.Client.GetWorkflowStateAsync(id);
        Assert.Equal(WorkflowRuntimeStatus.Terminated, state.RuntimeStatus);
        Assert.Null(state.ReadOutputAs<string>()); // no activity ran: the output is not "never+++"
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item32_a_running_id_is_refused_and_a_completed_id_starts_again(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var id = await harness.Client.ScheduleNewWorkflowAsync("WaitForGo", WorkflowHarness.NewId(), "");
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.ScheduleNewWorkflowAsync("WaitForGo", id, ""));
        Assert.Equal(StatusCode.AlreadyExists, Rpc(refused).StatusCode);
        await harness.Client.RaiseEventAsync(id, "go", "first");
        Assert.Equal("first", (await harness.Client.WaitForWorkflowCompletionAsync(id, true, Deadline.After())).ReadOutputAs<string>());

        var again = await harness.RunAsync("Sequence", "second", id);
        Assert.Equal("second+++", again.ReadOutputAs<string>());
        Assert.Equal("Sequence", again.WorkflowName);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item33_a_missing_instance_does_not_exist_and_cannot_be_waited_for(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        Assert.False((await harness.Client.GetWorkflowStateAsync("missing")).Exists);
        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Client.WaitForWorkflowStartAsync("missing", cancellation: Deadline.After()));
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item34_purge_deletes_a_completed_instance_and_refuses_a_running_one(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var id = WorkflowHarness.NewId();
        await harness.RunAsync("Sequence", "p", id);
        Assert.True(await harness.Client.PurgeInstanceAsync(id));
        Assert.False((await harness.Client.GetWorkflowStateAsync(id)).Exists);

        var running = await harness.Client.ScheduleNewWorkflowAsync("WaitForGo", WorkflowHarness.NewId(), "");
        await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.PurgeInstanceAsync(running));
        Assert.True((await harness.Client.GetWorkflowStateAsync(running)).Exists);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item38_new_guid_children_and_clock_timers_replay_identically_across_turns(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var id = WorkflowHarness.NewId();
        var done = await harness.RunAsync("Deterministic", "", id);
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        var history = await harness.Client.GetInstanceHistoryAsync(id, TestContext.Current.CancellationToken);
        // Exactly three children and three timers over the many turns: replay made no new ones.
        Assert.Equal(3, history.Count(e => e.EventType == WorkflowHistoryEventType.SubOrchestrationInstanceCreated));
        Assert.Equal(3, history.Count(e => e.EventType == WorkflowHistoryEventType.TimerCreated));
        Assert.Equal(3, done.ReadOutputAs<string>()!.Split(',').Distinct().Count());
        Assert.Equal(3, (await harness.Client.ListInstanceIdsAsync(null, 1000, TestContext.Current.CancellationToken)).InstanceIds.Count(i => i.StartsWith(id + "-", StringComparison.Ordinal)));
    }

    private static RpcException Rpc(Exception e) => e as RpcException ?? e.InnerException as RpcException ?? throw new Xunit.Sdk.XunitException($"not an RpcException: {e}");
}
