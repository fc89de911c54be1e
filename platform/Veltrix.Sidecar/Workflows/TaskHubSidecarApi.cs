using Dapr.DurableTask.Protobuf;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Veltrix.Sidecar.Grpc;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Workflows;

/// <summary>
/// `TaskHubSidecarService` (no proto package, as daprd serves it) on each app's gRPC port, with the message types of
/// Dapr.Workflow 1.19.0. The app is the one whose port the call came in on, so a worker gets its own app's work only.
/// </summary>
internal sealed class TaskHubSidecarApi(SidecarRuntime runtime, WorkflowEngines engines)
{
    public const string Service = "TaskHubSidecarService";

    private static readonly Empty Done = new();

    public ServerServiceDefinition Definition() => ServerServiceDefinition.CreateBuilder()
        .AddMethod(Unary<Empty, Empty>("Hello"), new UnaryServerMethod<Empty, Empty>((_, _) => Task.FromResult(Done)))
        .AddMethod(Unary<CreateInstanceRequest, CreateInstanceResponse>("StartInstance"), new UnaryServerMethod<CreateInstanceRequest, CreateInstanceResponse>(StartAsync))
        .AddMethod(Unary<GetInstanceRequest, GetInstanceResponse>("GetInstance"), new UnaryServerMethod<GetInstanceRequest, GetInstanceResponse>(GetAsync))
        .AddMethod(Unary<GetInstanceRequest, GetInstanceResponse>("WaitForInstanceStart"),
            new UnaryServerMethod<GetInstanceRequest, GetInstanceResponse>((r, c) => WaitAsync(r, c, s => s != OrchestrationStatus.Pending)))
        .AddMethod(Unary<GetInstanceRequest, GetInstanceResponse>("WaitForInstanceCompletion"),
            new UnaryServerMethod<GetInstanceRequest, GetInstanceResponse>((r, c) => WaitAsync(r, c, WorkflowStatus.IsTerminal)))
        .AddMethod(Unary<RaiseEventRequest, RaiseEventResponse>("RaiseEvent"), new UnaryServerMethod<RaiseEventRequest, RaiseEventResponse>(RaiseEventAsync))
        .AddMethod(Unary<TerminateRequest, TerminateResponse>("TerminateInstance"), new UnaryServerMethod<TerminateRequest, TerminateResponse>(TerminateAsync))
        .AddMethod(Unary<SuspendRequest, SuspendResponse>("SuspendInstance"), new UnaryServerMethod<SuspendRequest, SuspendResponse>(SuspendAsync))
        .AddMethod(Unary<ResumeRequest, ResumeResponse>("ResumeInstance"), new UnaryServerMethod<ResumeRequest, ResumeResponse>(ResumeAsync))
        .AddMethod(Unary<PurgeInstancesRequest, PurgeInstancesResponse>("PurgeInstances"), new UnaryServerMethod<PurgeInstancesRequest, PurgeInstancesResponse>(PurgeAsync))
        .AddMethod(Streaming<GetWorkItemsRequest, WorkItem>("GetWorkItems"), new ServerStreamingServerMethod<GetWorkItemsRequest, WorkItem>(GetWorkItemsAsync))
        // 1.19.0 calls the deprecated name; the new one is the same handler.
        .AddMethod(Unary<WorkflowResponse, CompleteTaskResponse>("CompleteOrchestratorTask"), new UnaryServerMethod<WorkflowResponse, CompleteTaskResponse>(CompleteTurnAsync))
        .AddMethod(Unary<WorkflowResponse, CompleteTaskResponse>("CompleteWorkflowTask"), new UnaryServerMethod<WorkflowResponse, CompleteTaskResponse>(CompleteTurnAsync))
        .AddMethod(Unary<ActivityResponse, CompleteTaskResponse>("CompleteActivityTask"), new UnaryServerMethod<ActivityResponse, CompleteTaskResponse>(CompleteActivityAsync))
        .AddMethod(Unary<GetInstanceHistoryRequest, GetInstanceHistoryResponse>("GetInstanceHistory"), new UnaryServerMethod<GetInstanceHistoryRequest, GetInstanceHistoryResponse>(HistoryAsync))
        .AddMethod(Unary<ListInstanceIDsRequest, ListInstanceIDsResponse>("ListInstanceIDs"), new UnaryServerMethod<ListInstanceIDsRequest, ListInstanceIDsResponse>(ListAsync))
        .Build();

    private Task<CreateInstanceResponse> StartAsync(CreateInstanceRequest request, ServerCallContext context)
    {
        // The SDK sends the caller's context in the request; a client that only sends the W3C headers is continued too.
        request.ParentTraceContext ??= WorkflowTracing.FromHeaders(context.RequestHeaders.GetValue("traceparent"), context.RequestHeaders.GetValue("tracestate"));
        return Guarded(context, async engine => new CreateInstanceResponse { InstanceId = await engine.StartAsync(request, context.CancellationToken) });
    }

    private Task<GetInstanceResponse> GetAsync(GetInstanceRequest request, ServerCallContext context) =>
        Guarded(context, engine => Task.FromResult(Describe(engine.Find(request.InstanceId), request.GetInputsAndOutputs)));

    /// <summary>Holds the call until the status satisfies <paramref name="done"/>; the call's deadline or cancellation ends it.</summary>
    private Task<GetInstanceResponse> WaitAsync(GetInstanceRequest request, ServerCallContext context, Func<OrchestrationStatus, bool> done) =>
        Guarded(context, async engine => Describe(await engine.WaitAsync(request.InstanceId, done, context.CancellationToken), request.GetInputsAndOutputs));

    private Task<RaiseEventResponse> RaiseEventAsync(RaiseEventRequest request, ServerCallContext context) =>
        Guarded(context, async engine =>
        {
            await engine.RaiseEventAsync(request.InstanceId, request.Name, request.Input ?? "", context.CancellationToken);
            return new RaiseEventResponse();
        });

    private Task<TerminateResponse> TerminateAsync(TerminateRequest request, ServerCallContext context) =>
        Guarded(context, async engine =>
        {
            await engine.TerminateAsync(request.InstanceId, request.Output, request.Recursive, context.CancellationToken);
            return new TerminateResponse();
        });

    private Task<SuspendResponse> SuspendAsync(SuspendRequest request, ServerCallContext context) =>
        Guarded(context, async engine =>
        {
            await engine.SuspendAsync(request.InstanceId, request.Reason ?? "", context.CancellationToken);
            return new SuspendResponse();
        });

    private Task<ResumeResponse> ResumeAsync(ResumeRequest request, ServerCallContext context) =>
        Guarded(context, async engine =>
        {
            await engine.ResumeAsync(request.InstanceId, request.Reason ?? "", context.CancellationToken);
            return new ResumeResponse();
        });

    private Task<PurgeInstancesResponse> PurgeAsync(PurgeInstancesRequest request, ServerCallContext context) =>
        Guarded(context, async engine =>
        {
            if (request.RequestCase != PurgeInstancesRequest.RequestOneofCase.InstanceId)
                throw new WorkflowException(StatusCode.Unknown, "failed to purge workflow state: multi-instance purge is not implemented");
            return new PurgeInstancesResponse { DeletedInstanceCount = await engine.PurgeAsync(request.InstanceId, request.Recursive, context.CancellationToken) };
        });

    private async Task GetWorkItemsAsync(GetWorkItemsRequest request, IServerStreamWriter<WorkItem> stream, ServerCallContext context)
    {
        var engine = Engine(context);
        try
        {
            await engine.Queue.ServeAsync(item => stream.WriteAsync(item, context.CancellationToken), context.CancellationToken);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // the worker went away (or the sidecar stops): its unanswered items were handed back
        }
    }

    private Task<CompleteTaskResponse> CompleteTurnAsync(WorkflowResponse response, ServerCallContext context) =>
        Guarded(context, async engine =>
        {
            await engine.CompleteTurnAsync(response, context.CancellationToken);
            return new CompleteTaskResponse();
        });

    private Task<CompleteTaskResponse> CompleteActivityAsync(ActivityResponse response, ServerCallContext context) =>
        Guarded(context, async engine =>
        {
            await engine.CompleteActivityAsync(response, context.CancellationToken);
            return new CompleteTaskResponse();
        });

    private Task<GetInstanceHistoryResponse> HistoryAsync(GetInstanceHistoryRequest request, ServerCallContext context) =>
        Guarded(context, engine =>
        {
            var instance = engine.Find(request.InstanceId) ?? throw new WorkflowException(StatusCode.NotFound, $"workflow instance '{request.InstanceId}' not found");
            var response = new GetInstanceHistoryResponse();
            response.Events.AddRange(instance.History);
            return Task.FromResult(response);
        });

    private Task<ListInstanceIDsResponse> ListAsync(ListInstanceIDsRequest request, ServerCallContext context) =>
        Guarded(context, engine =>
        {
            var ids = engine.InstanceIds();
            var after = request.HasContinuationToken ? request.ContinuationToken : null;
            var remaining = after is null ? ids : ids.Where(id => string.CompareOrdinal(id, after) > 0).ToList();
            var size = request.PageSize > 0 ? (int)request.PageSize : 100;
            var page = remaining.Take(size).ToList();
            var response = new ListInstanceIDsResponse();
            response.InstanceIds.AddRange(page);
            if (remaining.Count > page.Count) response.ContinuationToken = page[^1]; // unset on the last page, as the SDK expects
            return Task.FromResult(response);
        });

    /// <summary>The state daprd reports: status derived from history, inputs and outputs only when asked for.</summary>
    internal static GetInstanceResponse Describe(InstanceState? instance, bool withPayloads)
    {
        if (instance is null) return new GetInstanceResponse { Exists = false };
        var history = instance.History;
        var state = new WorkflowState
        {
            InstanceId = instance.Record.InstanceId,
            Name = instance.Record.Name,
            WorkflowStatus = WorkflowStatus.Of(history),
            CreatedTimestamp = Timestamp.FromDateTimeOffset(instance.Record.CreatedAt),
            LastUpdatedTimestamp = history.Count > 0 ? history[^1].Timestamp : Timestamp.FromDateTimeOffset(instance.Record.CreatedAt),
        };
        if (instance.Record.ScheduledStart is { } scheduled) state.ScheduledStartTimestamp = Timestamp.FromDateTimeOffset(scheduled);
        var completed = history.LastOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionCompleted)?.ExecutionCompleted;
        if (completed is not null) state.CompletedTimestamp = history[^1].Timestamp;
        if (withPayloads)
        {
            if (instance.Record.Input is { } input) state.Input = input;
            if (completed?.Result is { } output) state.Output = output;
            if (instance.Record.CustomStatus is { } custom) state.CustomStatus = custom;
            if (completed?.FailureDetails is { } failure) state.FailureDetails = failure;
        }
        return new GetInstanceResponse { Exists = true, WorkflowState = state };
    }

    private WorkflowEngine Engine(ServerCallContext context)
    {
        try
        {
            return engines.For(runtime.For(context.GetHttpContext()));
        }
        catch (WorkflowException e)
        {
            throw e.ToRpc();
        }
    }

    private async Task<T> Guarded<T>(ServerCallContext context, Func<WorkflowEngine, Task<T>> call)
    {
        var engine = Engine(context);
        try
        {
            return await call(engine);
        }
        catch (WorkflowException e)
        {
            throw e.ToRpc();
        }
    }

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
        where TRequest : IMessage<TRequest>, new() where TResponse : IMessage<TResponse>, new() =>
        new(MethodType.Unary, Service, name, ProtobufMarshaller.For<TRequest>(), ProtobufMarshaller.For<TResponse>());

    private static Method<TRequest, TResponse> Streaming<TRequest, TResponse>(string name)
        where TRequest : IMessage<TRequest>, new() where TResponse : IMessage<TResponse>, new() =>
        new(MethodType.ServerStreaming, Service, name, ProtobufMarshaller.For<TRequest>(), ProtobufMarshaller.For<TResponse>());
}
