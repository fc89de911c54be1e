using Dapr.Workflow;
using Grpc.Core;
using Grpc.Net.Client;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>Checklist items 19–23 and 26: the worker connects, activities run in sequence, in parallel, with retries, and compensate.</summary>
public sealed class ActivityConformanceTests
{
    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item19_the_worker_connects_and_Hello_keep_alives_succeed(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        using var channel = GrpcChannel.ForAddress(harness.Sidecar.GrpcAddress);
        var hello = new Method<Google.Protobuf.WellKnownTypes.Empty, Google.Protobuf.WellKnownTypes.Empty>(MethodType.Unary, "TaskHubSidecarService", "Hello",
            Marshallers.Create<Google.Protobuf.WellKnownTypes.Empty>(m => Google.Protobuf.MessageExtensions.ToByteArray(m), Google.Protobuf.WellKnownTypes.Empty.Parser.ParseFrom),
            Marshallers.Create<Google.Protobuf.WellKnownTypes.Empty>(m => Google.Protobuf.MessageExtensions.ToByteArray(m), Google.Protobuf.WellKnownTypes.Empty.Parser.ParseFrom));
        await channel.CreateCallInvoker().AsyncUnaryCall(hello, null, new CallOptions(), new Google.Protobuf.WellKnownTypes.Empty());
        // The worker's stream is up: a workflow scheduled now is picked up and runs.
        var state = await harness.RunAsync("Sequence", "x");
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item20_three_activities_in_sequence_complete_with_input_and_output(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var id = WorkflowHarness.NewId();
        var done = await harness.RunAsync("Sequence", "go", id);
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("go+++", done.ReadOutputAs<string>());
        var state = await harness.Client.GetWorkflowStateAsync(id);
        Assert.True(state.Exists);
        Assert.Equal("Sequence", state.WorkflowName);
        Assert.Equal("go", state.ReadInputAs<string>());
        Assert.Equal("go+++", state.ReadOutputAs<string>());
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item21_ten_parallel_activities_fan_in(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var done = await harness.RunAsync("FanOut", 10);
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(385, done.ReadOutputAs<int>()); // 1² + … + 10²
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item22_an_activity_failing_twice_succeeds_on_the_third_attempt(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var key = Guid.NewGuid().ToString("N");
        var done = await harness.RunAsync("Retrying", new TestWorkflows.Flaky(key, 2, 3));
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("attempt 3", done.ReadOutputAs<string>());
        Assert.Equal(3, TestWorkflows.Attempts[key]);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item23_an_activity_failing_every_attempt_fails_the_workflow_with_details(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var key = Guid.NewGuid().ToString("N");
        var done = await harness.RunAsync("Retrying", new TestWorkflows.Flaky(key, 5, 3));
        Assert.Equal(WorkflowRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.NotNull(done.FailureDetails);
        Assert.Equal("Dapr.Workflow.WorkflowTaskFailedException", done.FailureDetails.ErrorType);
        Assert.StartsWith("Task failed:", done.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(3, TestWorkflows.Attempts[key]);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Item26_a_failing_third_step_compensates_steps_two_and_one_in_reverse(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        var key = Guid.NewGuid().ToString("N");
        var done = await harness.RunAsync("Saga", key);
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("compensated", done.ReadOutputAs<string>());
        Assert.Equal(["one", "two", "fail", "undo-two", "undo-one"], TestWorkflows.Log[key].ToArray());
    }
}
