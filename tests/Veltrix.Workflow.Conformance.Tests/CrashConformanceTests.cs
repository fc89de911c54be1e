using Dapr.Workflow;
using Veltrix.Testing;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>
/// Checklist items 36 and 37: the sidecar is killed with SIGKILL during a durable timer and during an activity, and
/// started again on the same ports and state; the worker is not restarted (it reconnects by itself) and the workflow
/// completes.
/// </summary>
public sealed class CrashConformanceTests
{
    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item36_a_kill_during_a_timer_rearms_it_and_the_workflow_completes(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var id = await harness.Client.ScheduleNewWorkflowAsync("TimerThenActivity", WorkflowHarness.NewId(), 3000);
        await harness.UntilStatusAsync(id, WorkflowRuntimeStatus.Running);
        await harness.RestartSidecarAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var done = await harness.Client.WaitForWorkflowCompletionAsync(id, true, deadline.Token);
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("after timer+", done.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item37_a_kill_during_an_activity_redispatches_it_and_the_workflow_completes(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var key = Guid.NewGuid().ToString("N");
        var started = TestWorkflows.Started.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var id = await harness.Client.ScheduleNewWorkflowAsync("GatedActivity", WorkflowHarness.NewId(), key);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await harness.RestartSidecarAsync();
        // The first run's answer now goes nowhere (its sidecar is gone); the restarted sidecar must run the activity again.
        TestWorkflows.Gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var done = await harness.Client.WaitForWorkflowCompletionAsync(id, true, deadline.Token);
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.True(TestWorkflows.Attempts[key] >= 2, $"the activity ran {TestWorkflows.Attempts[key]} time(s)");
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task A_worker_stream_that_ends_during_an_activity_hands_it_back_to_the_next_worker(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var key = Guid.NewGuid().ToString("N");
        var started = TestWorkflows.Started.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var id = await harness.Client.ScheduleNewWorkflowAsync("GatedActivity", WorkflowHarness.NewId(), key);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        // The first worker is stopped while its activity is blocked; the sidecar keeps running.
        var stopping = harness.RestartWorkerAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Eventually.UntilAsync(() => TestWorkflows.Attempts[key] >= 2, "the activity handed to the new worker", TimeSpan.FromSeconds(60));
        TestWorkflows.Gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        await stopping;
        var done = await harness.Client.WaitForWorkflowCompletionAsync(id, true, deadline.Token);
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
    }
}
