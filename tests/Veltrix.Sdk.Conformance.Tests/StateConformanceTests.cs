using System.Net;
using System.Text;
using Dapr;
using Dapr.Client;
using Grpc.Core;

namespace Veltrix.Sdk.Conformance.Tests;

/// <summary>Checklist items 12–17 (reference §5, state), each over in-memory, SQLite and PostgreSQL state.</summary>
public sealed class StateConformanceTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Backends.StateStores), MemberType = typeof(Backends))]
    public async Task Item12_save_then_get_round_trips_a_missing_key_is_default_and_the_etag_is_set(string state)
    {
        await using var harness = await Harness.StartAsync(state: state);
        var client = harness.Client;

        await client.SaveStateAsync(Backends.StoreName, "order", new Order("s-1", 4), cancellationToken: Cancel);

        Assert.Equal(new Order("s-1", 4), await client.GetStateAsync<Order>(Backends.StoreName, "order", cancellationToken: Cancel));
        Assert.Null(await client.GetStateAsync<Order>(Backends.StoreName, "missing", cancellationToken: Cancel));
        var (value, etag) = await client.GetStateAndETagAsync<Order>(Backends.StoreName, "order", cancellationToken: Cancel);
        Assert.Equal(new Order("s-1", 4), value);
        Assert.False(string.IsNullOrEmpty(etag));
        var (_, missingETag) = await client.GetStateAndETagAsync<Order>(Backends.StoreName, "missing", cancellationToken: Cancel);
        Assert.Equal("", missingETag);
    }

    [Theory]
    [MemberData(nameof(Backends.StateStores), MemberType = typeof(Backends))]
    public async Task Item13_TrySave_and_TryDelete_with_a_stale_etag_return_false_and_with_the_current_one_true(string state)
    {
        await using var harness = await Harness.StartAsync(state: state);
        var client = harness.Client;
        await client.SaveStateAsync(Backends.StoreName, "k", new Order("v1", 1), cancellationToken: Cancel);
        var (_, stale) = await client.GetStateAndETagAsync<Order>(Backends.StoreName, "k", cancellationToken: Cancel);
        await client.SaveStateAsync(Backends.StoreName, "k", new Order("v2", 2), cancellationToken: Cancel);
        var (_, current) = await client.GetStateAndETagAsync<Order>(Backends.StoreName, "k", cancellationToken: Cancel);

        Assert.False(await client.TrySaveStateAsync(Backends.StoreName, "k", new Order("lost", 0), stale, cancellationToken: Cancel));
        Assert.False(await client.TryDeleteStateAsync(Backends.StoreName, "k", stale, cancellationToken: Cancel));
        Assert.Equal(new Order("v2", 2), await client.GetStateAsync<Order>(Backends.StoreName, "k", cancellationToken: Cancel));

        Assert.True(await client.TrySaveStateAsync(Backends.StoreName, "k", new Order("v3", 3), current, cancellationToken: Cancel));
        var (value, next) = await client.GetStateAndETagAsync<Order>(Backends.StoreName, "k", cancellationToken: Cancel);
        Assert.Equal(new Order("v3", 3), value);
        Assert.NotEqual(current, next);
        Assert.True(await client.TryDeleteStateAsync(Backends.StoreName, "k", next, cancellationToken: Cancel));
        Assert.Null(await client.GetStateAsync<Order>(Backends.StoreName, "k", cancellationToken: Cancel));
    }

    [Theory]
    [MemberData(nameof(Backends.StateStores), MemberType = typeof(Backends))]
    public async Task Item14_first_write_without_an_etag_behaves_like_the_HTTP_API(string state)
    {
        await using var harness = await Harness.StartAsync(state: state);
        var client = harness.Client;
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };

        await client.SaveStateAsync(Backends.StoreName, "fw", new Order("first", 1), firstWrite, cancellationToken: Cancel);
        var error = await Assert.ThrowsAsync<DaprException>(() =>
            client.SaveStateAsync(Backends.StoreName, "fw", new Order("second", 2), firstWrite, cancellationToken: Cancel));

        Assert.Equal(StatusCode.Aborted, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Equal(new Order("first", 1), await client.GetStateAsync<Order>(Backends.StoreName, "fw", cancellationToken: Cancel));
        // The HTTP API refuses the same write the same way (409, ETag conflict).
        using var http = new HttpClient { BaseAddress = harness.Sidecar.BaseAddress };
        var answer = await http.PostAsync($"/v1.0/state/{Backends.StoreName}",
            new StringContent("""[{"key":"fw","value":{"id":"third","quantity":3},"options":{"concurrency":"first-write"}}]""", Encoding.UTF8, "application/json"), Cancel);
        Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Backends.StateStores), MemberType = typeof(Backends))]
    public async Task Item15_bulk_get_returns_one_item_per_key_with_missing_keys_empty(string state)
    {
        await using var harness = await Harness.StartAsync(state: state);
        var client = harness.Client;
        await client.SaveBulkStateAsync(Backends.StoreName,
            [new SaveStateItem<Order>("a", new Order("a", 1), ""), new SaveStateItem<Order>("b", new Order("b", 2), "")], Cancel);

        var items = await client.GetBulkStateAsync<Order>(Backends.StoreName, ["a", "missing", "b"], parallelism: null, cancellationToken: Cancel);

        Assert.Equal(["a", "missing", "b"], items.Select(i => i.Key));
        Assert.Equal(new Order("a", 1), items[0].Value);
        Assert.Null(items[1].Value);
        Assert.Equal("", items[1].ETag);
        Assert.Equal(new Order("b", 2), items[2].Value);
        Assert.False(string.IsNullOrEmpty(items[2].ETag));
    }

    [Theory]
    [MemberData(nameof(Backends.StateStores), MemberType = typeof(Backends))]
    public async Task Item16_a_transaction_is_atomic_and_a_stale_etag_fails_it_whole_with_Internal(string state)
    {
        await using var harness = await Harness.StartAsync(state: state);
        var client = harness.Client;
        await client.SaveStateAsync(Backends.StoreName, "gone", new Order("gone", 0), cancellationToken: Cancel);

        await client.ExecuteStateTransactionAsync(Backends.StoreName,
            [Upsert("kept", new Order("kept", 1)), new StateTransactionRequest("gone", null, StateOperationType.Delete)], cancellationToken: Cancel);

        Assert.Equal(new Order("kept", 1), await client.GetStateAsync<Order>(Backends.StoreName, "kept", cancellationToken: Cancel));
        Assert.Null(await client.GetStateAsync<Order>(Backends.StoreName, "gone", cancellationToken: Cancel));

        var error = await Assert.ThrowsAsync<DaprException>(() => client.ExecuteStateTransactionAsync(Backends.StoreName,
            [Upsert("new", new Order("new", 2)), Upsert("kept", new Order("overwritten", 9), etag: "stale-etag")], cancellationToken: Cancel));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.StartsWith("error while executing state transaction: ", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Null(await client.GetStateAsync<Order>(Backends.StoreName, "new", cancellationToken: Cancel));
        Assert.Equal(new Order("kept", 1), await client.GetStateAsync<Order>(Backends.StoreName, "kept", cancellationToken: Cancel));
    }

    [Theory]
    [MemberData(nameof(Backends.StateStores), MemberType = typeof(Backends))]
    public async Task Item17_an_unknown_store_is_InvalidArgument(string state)
    {
        await using var harness = await Harness.StartAsync(state: state);

        var error = await Assert.ThrowsAsync<DaprException>(() => harness.Client.GetStateAsync<Order>("nostore", "k", cancellationToken: Cancel));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("state store nostore is not found", rpc.Status.Detail);
    }

    [Theory]
    [MemberData(nameof(Backends.StateStores), MemberType = typeof(Backends))]
    public async Task Bulk_delete_removes_every_key_and_a_stale_etag_is_Aborted_with_nothing_deleted(string state)
    {
        await using var harness = await Harness.StartAsync(state: state);
        var client = harness.Client;
        await client.SaveBulkStateAsync(Backends.StoreName,
            [new SaveStateItem<Order>("x", new Order("x", 1), ""), new SaveStateItem<Order>("y", new Order("y", 2), "")], Cancel);

        var error = await Assert.ThrowsAsync<DaprException>(() =>
            client.DeleteBulkStateAsync(Backends.StoreName, [new BulkDeleteStateItem("x", ""), new BulkDeleteStateItem("y", "stale-etag")], Cancel));
        Assert.Equal(StatusCode.Aborted, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.NotNull(await client.GetStateAsync<Order>(Backends.StoreName, "x", cancellationToken: Cancel));

        await client.DeleteBulkStateAsync(Backends.StoreName, [new BulkDeleteStateItem("x", ""), new BulkDeleteStateItem("y", "")], Cancel);
        Assert.Null(await client.GetStateAsync<Order>(Backends.StoreName, "x", cancellationToken: Cancel));
        Assert.Null(await client.GetStateAsync<Order>(Backends.StoreName, "y", cancellationToken: Cancel));
    }

    [Theory]
    [MemberData(nameof(Backends.StateStores), MemberType = typeof(Backends))]
    public async Task State_saved_over_gRPC_is_the_state_the_HTTP_API_reads_one_store_one_key_prefix(string state)
    {
        await using var harness = await Harness.StartAsync(state: state);
        await harness.Client.SaveStateAsync(Backends.StoreName, "shared", new Order("both", 5), cancellationToken: Cancel);

        using var http = new HttpClient { BaseAddress = harness.Sidecar.BaseAddress };
        var answer = await http.GetAsync($"/v1.0/state/{Backends.StoreName}/shared", Cancel);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("""{"id":"both","quantity":5}""", await answer.Content.ReadAsStringAsync(Cancel));
        var (_, etag) = await harness.Client.GetStateAndETagAsync<Order>(Backends.StoreName, "shared", cancellationToken: Cancel);
        Assert.Equal(etag, answer.Headers.ETag?.Tag ?? answer.Headers.GetValues("ETag").Single());
    }

    [Theory]
    [MemberData(nameof(Backends.StateStores), MemberType = typeof(Backends))]
    public async Task GetBulkState_reports_a_per_key_failure_on_the_item_not_as_a_failed_call(string state)
    {
        await using var harness = await Harness.StartAsync(state: state);
        await harness.Client.SaveStateAsync(Backends.StoreName, "fine", new Order("fine", 1), cancellationToken: Cancel);
        var raw = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(Grpc.Net.Client.GrpcChannel.ForAddress(harness.Sidecar.GrpcAddress));

        var response = await raw.GetBulkStateAsync(new Dapr.Client.Autogen.Grpc.v1.GetBulkStateRequest { StoreName = Backends.StoreName, Keys = { "fine", "bad||key" } },
            cancellationToken: Cancel);

        Assert.Equal(["fine", "bad||key"], response.Items.Select(i => i.Key));
        Assert.Equal("", response.Items[0].Error);
        Assert.Equal("""{"id":"fine","quantity":1}""", response.Items[0].Data.ToStringUtf8());
        Assert.Equal("input key/keyPrefix 'bad||key' can't contain '||'", response.Items[1].Error);
        Assert.True(response.Items[1].Data.IsEmpty);
    }

    private static StateTransactionRequest Upsert(string key, Order value, string? etag = null) =>
        new(key, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, System.Text.Json.JsonSerializerOptions.Web), StateOperationType.Upsert, etag);
}
