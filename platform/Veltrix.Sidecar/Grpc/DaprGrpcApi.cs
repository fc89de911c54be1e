using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Veltrix.Sidecar.Api;
using Veltrix.Sidecar.Operations;
using Veltrix.Sidecar.Runtime;
using BulkPublishRequest = Dapr.Client.Autogen.Grpc.v1.BulkPublishRequest;
using PublishRequest = Veltrix.Sidecar.Operations.PublishRequest;

namespace Veltrix.Sidecar.Grpc;

/// <summary>
/// The gRPC front of `dapr.proto.runtime.v1.Dapr` for the methods the official SDK uses for pub/sub, state,
/// metadata and shutdown. Each handler translates the request into the shared operation (<see cref="Publishing"/>,
/// <see cref="StateAccess"/>) and its outcome into daprd's gRPC status (<see cref="GrpcErrors"/>). Every method not
/// registered here answers Unimplemented (ASP.NET Core gRPC's default), which is what the SDK probes for.
/// </summary>
internal sealed class DaprGrpcApi(SidecarRuntime runtime, Publishing publishing, IHostApplicationLifetime lifetime)
{
    public ServerServiceDefinition Definition() => ServerServiceDefinition.CreateBuilder()
        .AddMethod(GrpcMethod.Unary<PublishEventRequest, Empty>("PublishEvent"), new UnaryServerMethod<PublishEventRequest, Empty>(PublishAsync))
        // The SDK tries BulkPublishEvent first and falls back to the Alpha1 name on Unimplemented; both are one handler.
        .AddMethod(GrpcMethod.Unary<BulkPublishRequest, BulkPublishResponse>("BulkPublishEvent"), new UnaryServerMethod<BulkPublishRequest, BulkPublishResponse>(BulkPublishAsync))
        .AddMethod(GrpcMethod.Unary<BulkPublishRequest, BulkPublishResponse>("BulkPublishEventAlpha1"), new UnaryServerMethod<BulkPublishRequest, BulkPublishResponse>(BulkPublishAsync))
        .AddMethod(GrpcMethod.Unary<GetStateRequest, GetStateResponse>("GetState"), new UnaryServerMethod<GetStateRequest, GetStateResponse>(GetStateAsync))
        .AddMethod(GrpcMethod.Unary<GetBulkStateRequest, GetBulkStateResponse>("GetBulkState"), new UnaryServerMethod<GetBulkStateRequest, GetBulkStateResponse>(GetBulkStateAsync))
        .AddMethod(GrpcMethod.Unary<SaveStateRequest, Empty>("SaveState"), new UnaryServerMethod<SaveStateRequest, Empty>(SaveStateAsync))
        .AddMethod(GrpcMethod.Unary<DeleteStateRequest, Empty>("DeleteState"), new UnaryServerMethod<DeleteStateRequest, Empty>(DeleteStateAsync))
        .AddMethod(GrpcMethod.Unary<DeleteBulkStateRequest, Empty>("DeleteBulkState"), new UnaryServerMethod<DeleteBulkStateRequest, Empty>(DeleteBulkStateAsync))
        .AddMethod(GrpcMethod.Unary<ExecuteStateTransactionRequest, Empty>("ExecuteStateTransaction"),
            new UnaryServerMethod<ExecuteStateTransactionRequest, Empty>(ExecuteStateTransactionAsync))
        .AddMethod(GrpcMethod.Unary<GetMetadataRequest, GetMetadataResponse>("GetMetadata"), new UnaryServerMethod<GetMetadataRequest, GetMetadataResponse>(GetMetadataAsync))
        .AddMethod(GrpcMethod.Unary<SetMetadataRequest, Empty>("SetMetadata"), new UnaryServerMethod<SetMetadataRequest, Empty>(SetMetadataAsync))
        .AddMethod(GrpcMethod.Unary<ShutdownRequest, Empty>("Shutdown"), new UnaryServerMethod<ShutdownRequest, Empty>(ShutdownAsync))
        .Build();

    private static readonly Empty Done = new();

    private async Task<Empty> PublishAsync(PublishEventRequest request, ServerCallContext context)
    {
        var (traceParent, traceState) = Trace(context);
        var publish = new PublishRequest(request.PubsubName, request.Topic, request.Data.ToByteArray(), NonEmpty(request.DataContentType),
            new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal), traceParent, traceState);
        if (await publishing.PublishAsync(App(context), publish, context.CancellationToken) is { } error) throw GrpcErrors.For(error);
        return Done;
    }

    private async Task<BulkPublishResponse> BulkPublishAsync(BulkPublishRequest request, ServerCallContext context)
    {
        var (traceParent, traceState) = Trace(context);
        // A parsed ByteString owns a copy of its bytes and never changes, so the entries refer to it rather than copying it again.
        var entries = request.Entries.Select(e => new BulkPublishItem(e.EntryId, e.Event.Memory, e.ContentType, e.Metadata)).ToList();
        var bulk = new Operations.BulkPublishRequest(request.PubsubName, request.Topic, entries,
            new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal), traceParent, traceState);
        var (error, failed) = await publishing.BulkPublishAsync(App(context), bulk, context.CancellationToken);
        if (error is not null) throw GrpcErrors.For(error);
        // daprd: some entries failed → OK with the failed ones; all failed → an error and no response.
        if (failed.Count > 0 && failed.Count == entries.Count)
            throw GrpcErrors.For(Publishing.PublishFailed(request.PubsubName, request.Topic, failed[0].Error, failed.All(f => f.BoundReached)));
        var response = new BulkPublishResponse();
        response.FailedEntries.AddRange(failed.Select(f => new BulkPublishResponseFailedEntry { EntryId = f.EntryId, Error = f.Error }));
        return response;
    }

    private async Task<GetStateResponse> GetStateAsync(GetStateRequest request, ServerCallContext context)
    {
        var (item, error) = await StateAccess.GetAsync(App(context), request.StoreName, request.Key, context.CancellationToken);
        if (error is not null) throw GrpcErrors.For(error);
        // A missing key is not an error: empty data and an empty ETag, which the SDK reads as default(T).
        return item is null ? new GetStateResponse() : new GetStateResponse { Data = ByteString.CopyFrom(item.Value), Etag = item.ETag };
    }

    private async Task<GetBulkStateResponse> GetBulkStateAsync(GetBulkStateRequest request, ServerCallContext context)
    {
        var (items, error) = await StateAccess.GetManyAsync(App(context), request.StoreName, request.Keys, context.CancellationToken);
        if (error is not null) throw GrpcErrors.For(error);
        var response = new GetBulkStateResponse();
        foreach (var result in items)
        {
            var item = new BulkStateItem { Key = result.Key };
            if (result.Error is not null) item.Error = result.Error;
            else if (result.Item is { } stored) (item.Data, item.Etag) = (ByteString.CopyFrom(stored.Value), stored.ETag);
            response.Items.Add(item);
        }
        return response;
    }

    private async Task<Empty> SaveStateAsync(SaveStateRequest request, ServerCallContext context)
    {
        var writes = request.States.Select(Write).ToList();
        if (await StateAccess.SaveAsync(App(context), request.StoreName, writes, new Dictionary<string, string>(), context.CancellationToken) is { } error)
            throw GrpcErrors.For(error);
        return Done;
    }

    private async Task<Empty> DeleteStateAsync(DeleteStateRequest request, ServerCallContext context)
    {
        var delete = new StateDelete(request.Key, request.Etag?.Value, Concurrency(request.Options));
        if (await StateAccess.DeleteAsync(App(context), request.StoreName, [delete], context.CancellationToken) is { } error) throw GrpcErrors.For(error);
        return Done;
    }

    private async Task<Empty> DeleteBulkStateAsync(DeleteBulkStateRequest request, ServerCallContext context)
    {
        var deletes = request.States.Select(s => new StateDelete(s.Key, s.Etag?.Value, Concurrency(s.Options))).ToList();
        if (await StateAccess.DeleteAsync(App(context), request.StoreName, deletes, context.CancellationToken) is { } error) throw GrpcErrors.For(error);
        return Done;
    }

    private async Task<Empty> ExecuteStateTransactionAsync(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        var steps = request.Operations.Select(o => new TransactionStep(o.OperationType, Write(o.Request ?? new StateItem()))).ToList();
        var defaults = new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal);
        if (await StateAccess.TransactAsync(App(context), request.StoreName, steps, defaults, context.CancellationToken) is { } error) throw GrpcErrors.For(error);
        return Done;
    }

    private Task<GetMetadataResponse> GetMetadataAsync(GetMetadataRequest request, ServerCallContext context)
    {
        var described = RuntimeEndpoints.Describe(App(context));
        var response = new GetMetadataResponse { Id = described.Id, RuntimeVersion = described.RuntimeVersion };
        foreach (var (key, value) in described.Extended) response.ExtendedMetadata[key] = value;
        foreach (var component in described.Components)
        {
            var registered = new RegisteredComponents { Name = component.Name, Type = component.Type, Version = component.Version };
            registered.Capabilities.AddRange(component.Capabilities);
            response.RegisteredComponents.Add(registered);
        }
        foreach (var subscription in described.Subscriptions)
        {
            var entry = new PubsubSubscription { PubsubName = subscription.Pubsubname, Topic = subscription.Topic, DeadLetterTopic = subscription.DeadLetterTopic, Rules = new PubsubSubscriptionRules() };
            foreach (var (key, value) in subscription.Metadata) entry.Metadata[key] = value;
            entry.Rules.Rules.AddRange(subscription.Rules.Select(r => new PubsubSubscriptionRule { Match = r.Match ?? "", Path = r.Path }));
            response.Subscriptions.Add(entry);
        }
        return Task.FromResult(response);
    }

    private Task<Empty> SetMetadataAsync(SetMetadataRequest request, ServerCallContext context)
    {
        App(context).ExtendedMetadata[request.Key] = request.Value;
        return Task.FromResult(Done);
    }

    private Task<Empty> ShutdownAsync(ShutdownRequest request, ServerCallContext context)
    {
        // Answer first, then stop (as POST /v1.0/shutdown): the caller gets OK before the listener closes.
        context.GetHttpContext().Response.OnCompleted(() =>
        {
            lifetime.StopApplication();
            return Task.CompletedTask;
        });
        return Task.FromResult(Done);
    }

    private AppRuntime App(ServerCallContext context) => runtime.For(context.GetHttpContext());

    private static StateWrite Write(StateItem item) =>
        new(item.Key, item.Value.ToByteArray(), item.Etag?.Value, item.Metadata, Concurrency(item.Options), Consistency(item.Options));

    private static string? Concurrency(StateOptions? options) => options?.Concurrency switch
    {
        StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite => "first-write",
        StateOptions.Types.StateConcurrency.ConcurrencyLastWrite => "last-write",
        _ => null,
    };

    private static string? Consistency(StateOptions? options) => options?.Consistency switch
    {
        StateOptions.Types.StateConsistency.ConsistencyEventual => "eventual",
        StateOptions.Types.StateConsistency.ConsistencyStrong => "strong",
        _ => null,
    };

    /// <summary>W3C trace context from the call's metadata, exactly as the HTTP API reads the headers.</summary>
    private static (string? TraceParent, string? TraceState) Trace(ServerCallContext context) =>
        (context.RequestHeaders.GetValue("traceparent"), context.RequestHeaders.GetValue("tracestate"));

    private static string? NonEmpty(string value) => value.Length == 0 ? null : value;
}
