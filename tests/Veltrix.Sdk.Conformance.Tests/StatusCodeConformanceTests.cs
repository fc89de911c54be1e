using System.Diagnostics;
using Dapr;
using Dapr.Client;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Veltrix.Testing;
using DaprApi = Dapr.Client.Autogen.Grpc.v1.Dapr;

namespace Veltrix.Sdk.Conformance.Tests;

/// <summary>
/// daprd's gRPC status codes (reference §2.3) for the refusals the sidecar implements, seen through the SDK where
/// it can send the request and through the raw generated client where the SDK refuses client-side.
/// (Aborted: StateConformanceTests items 13/14 and bulk delete; Internal: item 16; Unauthenticated: item 3;
/// Unimplemented: item 4.)
/// </summary>
public sealed class StatusCodeConformanceTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FailedPrecondition_when_no_pubsub_or_no_state_store_is_configured()
    {
        await using var harness = await Harness.StartAsync();

        var publish = await Assert.ThrowsAsync<DaprException>(() => harness.Client.PublishEventAsync("pubsub", "t", new Order("x", 1), Cancel));
        var get = await Assert.ThrowsAsync<DaprException>(() => harness.Client.GetStateAsync<Order>("statestore", "k", cancellationToken: Cancel));

        AssertStatus(publish, StatusCode.FailedPrecondition, "pubsub pubsub is not configured");
        AssertStatus(get, StatusCode.FailedPrecondition, "state store statestore is not configured");
    }

    [Theory]
    [MemberData(nameof(Backends.StateStores), MemberType = typeof(Backends))]
    public async Task InvalidArgument_for_an_empty_or_illegal_state_key(string state)
    {
        await using var harness = await Harness.StartAsync(state: state);
        var raw = Raw(harness);

        var empty = await Assert.ThrowsAsync<RpcException>(async () =>
            await raw.SaveStateAsync(new SaveStateRequest { StoreName = Backends.StoreName, States = { new StateItem { Key = "", Value = ByteString.CopyFromUtf8("1") } } }));
        var illegal = await Assert.ThrowsAsync<DaprException>(() => harness.Client.SaveStateAsync(Backends.StoreName, "a||b", new Order("x", 1), cancellationToken: Cancel));

        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Equal("state key cannot be empty", empty.Status.Detail);
        AssertStatus(illegal, StatusCode.InvalidArgument, "input key/keyPrefix 'a||b' can't contain '||'");
    }

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task InvalidArgument_for_a_bad_rawPayload_value_an_empty_topic_and_bad_bulk_entry_ids(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub);
        var raw = Raw(harness);

        var rawPayload = await Assert.ThrowsAsync<DaprException>(() => harness.Client.PublishEventAsync(Backends.PubSubName, "t", new Order("x", 1),
            new Dictionary<string, string> { ["rawPayload"] = "maybe" }, Cancel));
        var topic = await Assert.ThrowsAsync<RpcException>(async () => await raw.PublishEventAsync(new PublishEventRequest { PubsubName = Backends.PubSubName, Topic = "" }));
        var duplicate = await Assert.ThrowsAsync<RpcException>(async () => await raw.BulkPublishEventAsync(Bulk("1", "1")));
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await raw.BulkPublishEventAsync(Bulk("1", "")));

        AssertStatus(rawPayload, StatusCode.InvalidArgument, "failed deserializing metadata. Error: rawPayload value 'maybe' is not a boolean");
        Assert.Equal((StatusCode.InvalidArgument, "topic is empty in pubsub pubsub"), (topic.StatusCode, topic.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "entryId 1 is duplicated or not present for entry"), (duplicate.StatusCode, duplicate.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "entryId is duplicated or not present for entry"), (missing.StatusCode, missing.Status.Detail));
    }

    [Fact]
    public async Task Unimplemented_for_a_transaction_operation_other_than_upsert_or_delete()
    {
        await using var harness = await Harness.StartAsync(state: "in-memory");

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw(harness).ExecuteStateTransactionAsync(new ExecuteStateTransactionRequest
        {
            StoreName = Backends.StoreName,
            Operations = { new TransactionalStateOperation { OperationType = "merge", Request = new StateItem { Key = "k" } } },
        }));

        Assert.Equal((StatusCode.Unimplemented, "operation type merge not supported"), (error.StatusCode, error.Status.Detail));
    }

    [Fact]
    public async Task ResourceExhausted_when_a_subscription_queue_is_full_for_a_publish_and_for_a_bulk_publish_refused_whole()
    {
        await using var harness = await Harness.StartAsync("in-memory", withApp: true, extraArguments: ["--subscription-queue-depth", "2"]);
        var log = harness.Subscriber.Log;
        log.Hold(); // the subscriber is stuck: what the queue holds stays there
        var topic = harness.Subscriber.Topic("orders");
        await harness.Client.PublishEventAsync(Backends.PubSubName, topic, new Order("1", 1), Cancel);
        await harness.Client.PublishEventAsync(Backends.PubSubName, topic, new Order("2", 2), Cancel);

        var full = await Assert.ThrowsAsync<DaprException>(() => harness.Client.PublishEventAsync(Backends.PubSubName, topic, new Order("3", 3), Cancel));
        var all = await Assert.ThrowsAsync<DaprException>(() =>
            harness.Client.BulkPublishEventAsync(Backends.PubSubName, topic, [new Order("4", 4)], cancellationToken: Cancel));

        var rpc = Assert.IsType<RpcException>(full.InnerException);
        Assert.Equal(StatusCode.ResourceExhausted, rpc.StatusCode);
        Assert.Contains("VX2010", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("--subscription-queue-depth", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.ResourceExhausted, Assert.IsType<RpcException>(all.InnerException).StatusCode); // every entry refused: an error, as daprd
        log.Release();
        await Eventually.UntilAsync(() => log.On("orders").Count == 2, "the two accepted messages are delivered");
    }

    [Fact]
    public async Task A_partly_refused_bulk_publish_is_OK_and_names_exactly_the_refused_entries()
    {
        await using var harness = await Harness.StartAsync("in-memory", withApp: true, extraArguments: ["--subscription-queue-depth", "2"]);
        var log = harness.Subscriber.Log;
        log.Hold();

        var response = await harness.Client.BulkPublishEventAsync(Backends.PubSubName, harness.Subscriber.Topic("orders"),
            [new Order("a", 1), new Order("b", 2), new Order("c", 3), new Order("d", 4)], cancellationToken: Cancel);

        Assert.Equal(["2", "3"], response.FailedEntries.Select(f => f.Entry.EntryId).Order());
        Assert.All(response.FailedEntries, f => Assert.Contains("VX2010", f.ErrorMessage, StringComparison.Ordinal));
        log.Release();
        await Eventually.UntilAsync(() => log.On("orders").Count == 2, "the two accepted entries are delivered");
        Assert.Equal(["a", "b"], log.On("orders").Select(d => System.Text.Json.JsonSerializer.Deserialize<Order>(d.HandlerBody, System.Text.Json.JsonSerializerOptions.Web)!.Id).Order());
    }

    [Fact]
    public async Task ResourceExhausted_when_a_request_is_larger_than_max_body_size()
    {
        await using var harness = await Harness.StartAsync(state: "in-memory", extraArguments: ["--max-body-size", "1Ki"]);

        var error = await Assert.ThrowsAsync<DaprException>(() =>
            harness.Client.SaveStateAsync(Backends.StoreName, "big", new string('x', 4096), cancellationToken: Cancel));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.ResourceExhausted, rpc.StatusCode);
        Assert.Contains("--max-body-size is 1024 bytes", rpc.Status.Detail, StringComparison.Ordinal);
        await harness.Client.SaveStateAsync(Backends.StoreName, "small", "fits", cancellationToken: Cancel);
    }

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task The_publisher_trace_context_reaches_the_envelope(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub, withApp: true);
        var log = harness.Subscriber.Log;
        using var activity = new Activity("publish").SetIdFormat(ActivityIdFormat.W3C);
        activity.TraceStateString = "vendor=value";
        activity.Start(); // the SDK sends Activity.Current as traceparent/tracestate metadata

        await harness.Client.PublishEventAsync(Backends.PubSubName, harness.Subscriber.Topic("orders"), new Order("traced", 1), Cancel);
        activity.Stop();

        await Eventually.UntilAsync(() => log.On("orders").Count == 1, "the order is delivered");
        Assert.Equal(activity.Id, log.On("orders")[0].Attribute("traceparent"));
        Assert.Equal("vendor=value", log.On("orders")[0].Attribute("tracestate"));
    }

    [Fact]
    public async Task Not_found_errors_carry_daprd_rich_details_in_grpc_status_details_bin()
    {
        await using var harness = await Harness.StartAsync("in-memory", "in-memory");

        var pubsub = await Assert.ThrowsAsync<DaprException>(() => harness.Client.PublishEventAsync("nosuch", "t", new Order("x", 1), Cancel));
        var store = await Assert.ThrowsAsync<DaprException>(() => harness.Client.GetStateAsync<Order>("nostore", "k", cancellationToken: Cancel));

        foreach (var (error, reason, type, name) in new[] { (pubsub, "DAPR_PUBSUB_NOT_FOUND", "pubsub", "nosuch"), (store, "DAPR_STATE_NOT_FOUND", "state", "nostore") })
        {
            var rpc = Assert.IsType<RpcException>(error.InnerException);
            var details = Google.Rpc.Status.Parser.ParseFrom(rpc.Trailers.GetValueBytes("grpc-status-details-bin"));
            Assert.Equal(((int)rpc.StatusCode, rpc.Status.Detail), (details.Code, details.Message));
            // Standard type URLs, as daprd sends them (the 1.19 SDK's TryGetExtendedErrorInfo only knows a "Google.rpc" spelling).
            var errorInfo = Assert.Single(details.Details, d => d.Is(Google.Rpc.ErrorInfo.Descriptor)).Unpack<Google.Rpc.ErrorInfo>();
            Assert.Equal((reason, "dapr.io"), (errorInfo.Reason, errorInfo.Domain));
            var resource = Assert.Single(details.Details, d => d.Is(Google.Rpc.ResourceInfo.Descriptor)).Unpack<Google.Rpc.ResourceInfo>();
            Assert.Equal((type, name), (resource.ResourceType, resource.ResourceName));
        }
    }

    private static void AssertStatus(DaprException error, StatusCode code, string message)
    {
        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal((code, message), (rpc.StatusCode, rpc.Status.Detail));
    }

    private static DaprApi.DaprClient Raw(Harness harness) => new(GrpcChannel.ForAddress(harness.Sidecar.GrpcAddress));

    private static BulkPublishRequest Bulk(params string[] ids)
    {
        var request = new BulkPublishRequest { PubsubName = Backends.PubSubName, Topic = "t" };
        foreach (var id in ids) request.Entries.Add(new BulkPublishRequestEntry { EntryId = id, Event = ByteString.CopyFromUtf8("{}"), ContentType = "application/json" });
        return request;
    }
}
