using Veltrix.Testing;
using Dapr.DurableTask.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>
/// The server side of the work-item protocol, with the test playing the worker over the SDK's own gRPC client: turns
/// (answered here through `CompleteWorkflowTask`, the name 1.19.0's worker does not use) carry the stable execution ID and `[WorkflowStarted] + new events`, a stale completion token is ignored, and a
/// repeated activity answer reaches the workflow once.
/// </summary>
public sealed class ProtocolConformanceTests
{
    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task Completion_tokens_and_duplicate_answers_are_deduplicated(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store, withWorker: false);
        using var channel = GrpcChannel.ForAddress(harness.Sidecar.GrpcAddress);
        var hub = new TaskHubSidecarService.TaskHubSidecarServiceClient(channel);
        var ct = TestContext.Current.CancellationToken;
        using var stream = hub.GetWorkItems(new GetWorkItemsRequest(), cancellationToken: ct);
        var items = stream.ResponseStream;
        var id = WorkflowHarness.NewId();
        var start = hub.StartInstanceAsync(new CreateInstanceRequest { InstanceId = id, Name = "Raw", Input = "\"in\"" }, cancellationToken: ct).ResponseAsync;

        var first = await Next(items, ct);
        Assert.Equal(id, first.WorkflowRequest.InstanceId);
        Assert.Empty(first.WorkflowRequest.PastEvents);
        Assert.Equal([HistoryEvent.EventTypeOneofCase.WorkflowStarted, HistoryEvent.EventTypeOneofCase.ExecutionStarted],
            first.WorkflowRequest.NewEvents.Select(e => e.EventTypeCase).ToArray());
        var executionId = first.WorkflowRequest.ExecutionId;
        Assert.False(string.IsNullOrEmpty(executionId));
        var turn = new WorkflowResponse { InstanceId = id, CompletionToken = first.CompletionToken };
        turn.Actions.Add(new WorkflowAction { Id = 0, ScheduleTask = new ScheduleTaskAction { Name = "Act", Input = "1" } });
        await hub.CompleteWorkflowTaskAsync(turn, cancellationToken: ct);
        await hub.CompleteWorkflowTaskAsync(turn, cancellationToken: ct); // the same answer again: ignored, not a second TaskScheduled
        await start;

        var activity = await Next(items, ct);
        Assert.Equal(0, activity.ActivityRequest.TaskId);
        Assert.Equal(executionId, activity.ActivityRequest.WorkflowInstance.ExecutionId);
        var answer = new ActivityResponse { InstanceId = id, TaskId = 0, Result = "\"done\"", CompletionToken = activity.CompletionToken };
        await hub.CompleteActivityTaskAsync(answer, cancellationToken: ct);
        await hub.CompleteActivityTaskAsync(answer, cancellationToken: ct); // at-least-once delivery: a repeat

        var second = await Next(items, ct);
        Assert.Equal(executionId, second.WorkflowRequest.ExecutionId); // stable across turns
        Assert.Equal(first.WorkflowRequest.NewEvents.Count + 1, second.WorkflowRequest.PastEvents.Count); // the first turn's events plus one TaskScheduled
        Assert.Equal(first.WorkflowRequest.NewEvents[0].Timestamp, second.WorkflowRequest.PastEvents[0].Timestamp); // exact timestamps kept
        Assert.Single(second.WorkflowRequest.NewEvents, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskCompleted);

        var stale = new WorkflowResponse { InstanceId = id, CompletionToken = first.CompletionToken };
        stale.Actions.Add(new WorkflowAction { Id = 0, CompleteWorkflow = new CompleteWorkflowAction { WorkflowStatus = OrchestrationStatus.Failed } });
        await hub.CompleteWorkflowTaskAsync(stale, cancellationToken: ct); // an old token: ignored
        var done = new WorkflowResponse { InstanceId = id, CompletionToken = second.CompletionToken };
        done.Actions.Add(new WorkflowAction { Id = 0, CompleteWorkflow = new CompleteWorkflowAction { WorkflowStatus = OrchestrationStatus.Completed, Result = "\"ok\"" } });
        await hub.CompleteWorkflowTaskAsync(done, cancellationToken: ct);

        var state = await hub.GetInstanceAsync(new GetInstanceRequest { InstanceId = id, GetInputsAndOutputs = true }, cancellationToken: ct);
        Assert.Equal(OrchestrationStatus.Completed, state.WorkflowState.WorkflowStatus);
        Assert.Equal("\"ok\"", state.WorkflowState.Output);
        var history = (await hub.GetInstanceHistoryAsync(new GetInstanceHistoryRequest { InstanceId = id }, cancellationToken: ct)).Events;
        Assert.Single(history, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskScheduled);
        Assert.Single(history, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskCompleted);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task An_event_raised_during_a_turn_that_continues_as_new_reaches_the_new_generation(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store, withWorker: false);
        using var channel = GrpcChannel.ForAddress(harness.Sidecar.GrpcAddress);
        var hub = new TaskHubSidecarService.TaskHubSidecarServiceClient(channel);
        var ct = Deadline.After();
        using var stream = hub.GetWorkItems(new GetWorkItemsRequest(), cancellationToken: ct);
        var items = stream.ResponseStream;
        var id = WorkflowHarness.NewId();
        // Answered once the first turn ran (as daprd), so awaited after this test has answered it.
        var start = hub.StartInstanceAsync(new CreateInstanceRequest { InstanceId = id, Name = "Raw", Input = "0" }, cancellationToken: ct).ResponseAsync;

        var first = await Next(items, ct);
        // The worker holds the turn; meanwhile an event arrives, which this turn does not contain and so cannot carry over.
        await hub.RaiseEventAsync(new RaiseEventRequest { InstanceId = id, Name = "extra", Input = "100" }, cancellationToken: ct);
        var turn = new WorkflowResponse { InstanceId = id, CompletionToken = first.CompletionToken };
        turn.Actions.Add(new WorkflowAction { Id = 0, CompleteWorkflow = new CompleteWorkflowAction { WorkflowStatus = OrchestrationStatus.ContinuedAsNew, Result = "1" } });
        await hub.CompleteWorkflowTaskAsync(turn, cancellationToken: ct);

        var second = await Next(items, ct);
        Assert.Empty(second.WorkflowRequest.PastEvents);
        Assert.Equal("1", Assert.Single(second.WorkflowRequest.NewEvents, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted).ExecutionStarted.Input);
        var raised = Assert.Single(second.WorkflowRequest.NewEvents, e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.EventRaised);
        Assert.Equal(("extra", "100"), (raised.EventRaised.Name, raised.EventRaised.Input));
        var done = new WorkflowResponse { InstanceId = id, CompletionToken = second.CompletionToken };
        done.Actions.Add(new WorkflowAction { Id = 0, CompleteWorkflow = new CompleteWorkflowAction { WorkflowStatus = OrchestrationStatus.Completed, Result = "101" } });
        await hub.CompleteWorkflowTaskAsync(done, cancellationToken: ct);
        await start;
    }

    private static async Task<WorkItem> Next(IAsyncStreamReader<WorkItem> items, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        Assert.True(await items.MoveNext(deadline.Token), "the work-item stream ended");
        return items.Current;
    }
}
