using System.Net;
using Veltrix.Dapr.Client;
using Veltrix.Dapr.Tests.Infrastructure;
using Veltrix.Testing;

namespace Veltrix.Dapr.Tests.Client;

/// <summary>The state API against the real dev sidecar with <c>state.in-memory</c>.</summary>
public sealed class StateTests : IAsyncLifetime
{
    private const string Store = "statestore";
    private readonly ResourcesFolder _resources = ResourcesDirectory.Create();
    private SidecarProcess? _sidecar;
    private DaprClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _sidecar = await SidecarProcess.StartForAppAsync("state-app", null, [_resources.Path], waitForApp: false);
        _client = DaprTestClients.For(_sidecar);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sidecar is not null) await _sidecar.DisposeAsync();
        _resources.Dispose();
    }

    [Fact]
    public async Task Saved_state_reads_back_typed_with_an_etag_and_missing_keys_are_default()
    {
        await _client.SaveStateAsync(Store, "order-1", new Order("o-1", 4), cancellationToken: Ct);

        var (order, etag) = await _client.GetStateAndETagAsync<Order>(Store, "order-1", cancellationToken: Ct);
        Assert.Equal(new Order("o-1", 4), order);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(new Order("o-1", 4), await _client.GetStateAsync<Order>(Store, "order-1", ConsistencyMode.Strong, cancellationToken: Ct));

        Assert.Null(await _client.GetStateAsync<Order>(Store, "never-written", cancellationToken: Ct));
        var (missing, missingEtag) = await _client.GetStateAndETagAsync<int>(Store, "never-written", cancellationToken: Ct);
        Assert.Equal((0, ""), (missing, missingEtag));

        await _client.SaveStateAsync(Store, "plain-string", "abc", cancellationToken: Ct);
        Assert.Equal("abc", await _client.GetStateAsync<string>(Store, "plain-string", cancellationToken: Ct));
    }

    [Fact]
    public async Task A_stale_etag_loses_the_race()
    {
        await _client.SaveStateAsync(Store, "counter", 1, cancellationToken: Ct);
        var (_, firstEtag) = await _client.GetStateAndETagAsync<int>(Store, "counter", cancellationToken: Ct);

        Assert.True(await _client.TrySaveStateAsync(Store, "counter", 2, firstEtag, cancellationToken: Ct));
        Assert.False(await _client.TrySaveStateAsync(Store, "counter", 3, firstEtag, cancellationToken: Ct));

        var (value, secondEtag) = await _client.GetStateAndETagAsync<int>(Store, "counter", cancellationToken: Ct);
        Assert.Equal(2, value);
        Assert.NotEqual(firstEtag, secondEtag);

        var conflict = await Assert.ThrowsAsync<DaprStateConflictException>(() =>
            _client.SaveStateAsync(Store, "counter", 4, new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("ERR_STATE_SAVE", conflict.ErrorCode);
        Assert.Equal(2, await _client.GetStateAsync<int>(Store, "counter", cancellationToken: Ct));
    }

    [Fact]
    public async Task Save_if_unchanged_creates_an_absent_key_once_and_then_compares_and_swaps()
    {
        var type = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<int>)System.Text.Json.JsonSerializerOptions.Web.GetTypeInfo(typeof(int));
        var (_, absent) = await _client.GetStateAndETagAsync<int>(Store, "created-once", cancellationToken: Ct);

        // Two writers both read "absent": the first creates the key, the second is told it lost.
        Assert.True(await _client.TrySaveStateIfUnchangedAsync(Store, "created-once", 1, type, absent, Ct));
        Assert.False(await _client.TrySaveStateIfUnchangedAsync(Store, "created-once", 2, type, absent, Ct));
        var (value, etag) = await _client.GetStateAndETagAsync<int>(Store, "created-once", cancellationToken: Ct);
        Assert.Equal(1, value);

        // From then on it is a compare-and-swap on the ETag read.
        Assert.True(await _client.TrySaveStateIfUnchangedAsync(Store, "created-once", 3, type, etag, Ct));
        Assert.False(await _client.TrySaveStateIfUnchangedAsync(Store, "created-once", 4, type, etag, Ct));
        Assert.Equal(3, await _client.GetStateAsync<int>(Store, "created-once", cancellationToken: Ct));
    }

    [Fact]
    public async Task First_write_inserts_once_and_then_needs_the_current_etag()
    {
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };

        await _client.SaveStateAsync(Store, "claim", "alice", firstWrite, cancellationToken: Ct);
        await Assert.ThrowsAsync<DaprStateConflictException>(() => _client.SaveStateAsync(Store, "claim", "bob", firstWrite, cancellationToken: Ct));
        Assert.Equal("alice", await _client.GetStateAsync<string>(Store, "claim", cancellationToken: Ct));

        var (_, etag) = await _client.GetStateAndETagAsync<string>(Store, "claim", cancellationToken: Ct);
        Assert.True(await _client.TrySaveStateAsync(Store, "claim", "carol", etag, firstWrite, cancellationToken: Ct));
        Assert.Equal("carol", await _client.GetStateAsync<string>(Store, "claim", cancellationToken: Ct));
    }

    [Fact]
    public async Task Bulk_get_returns_values_etags_and_empty_items_for_missing_keys()
    {
        await _client.SaveStateAsync(Store, "bulk-a", new Order("a", 1), cancellationToken: Ct);
        await _client.SaveStateAsync(Store, "bulk-b", new Order("b", 2), cancellationToken: Ct);

        var typed = await _client.GetBulkStateAsync<Order>(Store, ["bulk-a", "bulk-b", "bulk-missing"], parallelism: 2, cancellationToken: Ct);
        var byKey = typed.ToDictionary(i => i.Key);
        Assert.Equal(3, typed.Count);
        Assert.Equal(new Order("a", 1), byKey["bulk-a"].Value);
        Assert.Equal(new Order("b", 2), byKey["bulk-b"].Value);
        Assert.False(string.IsNullOrEmpty(byKey["bulk-a"].ETag));
        Assert.Null(byKey["bulk-missing"].Value);
        Assert.Null(byKey["bulk-missing"].Error);

        var raw = (await _client.GetBulkStateAsync(Store, ["bulk-a", "bulk-missing"], parallelism: null, cancellationToken: Ct)).ToDictionary(i => i.Key);
        Assert.Equal("""{"orderId":"a","quantity":1}""", raw["bulk-a"].Value.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal("", raw["bulk-missing"].Value);
    }

    [Fact]
    public async Task Transaction_applies_upserts_and_deletes_together()
    {
        await _client.SaveStateAsync(Store, "tx-old", 1, cancellationToken: Ct);

        await _client.ExecuteStateTransactionAsync(Store,
        [
            StateTransactionRequest.Upsert("tx-new", new Order("n", 5)),
            new StateTransactionRequest("tx-raw", "\"text\""u8.ToArray(), StateOperationType.Upsert),
            StateTransactionRequest.Delete("tx-old"),
        ], cancellationToken: Ct);

        Assert.Equal(new Order("n", 5), await _client.GetStateAsync<Order>(Store, "tx-new", cancellationToken: Ct));
        Assert.Equal("text", await _client.GetStateAsync<string>(Store, "tx-raw", cancellationToken: Ct));
        Assert.Equal(0, await _client.GetStateAsync<int>(Store, "tx-old", cancellationToken: Ct));
    }

    [Fact]
    public async Task Transaction_with_a_stale_etag_changes_nothing_and_is_not_a_conflict_exception()
    {
        await _client.SaveStateAsync(Store, "tx-guarded", 1, cancellationToken: Ct);
        var (_, etag) = await _client.GetStateAndETagAsync<int>(Store, "tx-guarded", cancellationToken: Ct);
        await _client.SaveStateAsync(Store, "tx-guarded", 2, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<DaprApiException>(() => _client.ExecuteStateTransactionAsync(Store,
        [
            StateTransactionRequest.Upsert("tx-side-effect", 1),
            StateTransactionRequest.Upsert("tx-guarded", 3, etag),
        ], cancellationToken: Ct));

        Assert.IsNotType<DaprStateConflictException>(error);
        Assert.Equal("ERR_STATE_TRANSACTION", error.ErrorCode);
        Assert.Equal(2, await _client.GetStateAsync<int>(Store, "tx-guarded", cancellationToken: Ct));
        Assert.Equal(0, await _client.GetStateAsync<int>(Store, "tx-side-effect", cancellationToken: Ct));
    }

    [Fact]
    public async Task Delete_with_an_etag_only_deletes_the_version_it_read()
    {
        await _client.SaveStateAsync(Store, "doomed", "v1", cancellationToken: Ct);
        var (_, staleEtag) = await _client.GetStateAndETagAsync<string>(Store, "doomed", cancellationToken: Ct);
        await _client.SaveStateAsync(Store, "doomed", "v2", cancellationToken: Ct);

        Assert.False(await _client.TryDeleteStateAsync(Store, "doomed", staleEtag, cancellationToken: Ct));
        Assert.Equal("v2", await _client.GetStateAsync<string>(Store, "doomed", cancellationToken: Ct));

        var (_, currentEtag) = await _client.GetStateAndETagAsync<string>(Store, "doomed", cancellationToken: Ct);
        Assert.True(await _client.TryDeleteStateAsync(Store, "doomed", currentEtag, cancellationToken: Ct));
        Assert.Null(await _client.GetStateAsync<string>(Store, "doomed", cancellationToken: Ct));

        await _client.DeleteStateAsync(Store, "doomed", cancellationToken: Ct); // deleting a missing key is fine
    }

    [Fact]
    public async Task Unknown_store_is_an_api_exception_with_the_sidecar_code()
    {
        var error = await Assert.ThrowsAsync<DaprApiException>(() => _client.GetStateAsync<int>("nope", "k", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("ERR_STATE_STORE_NOT_FOUND", error.ErrorCode);
        Assert.Contains("nope", error.SidecarMessage, StringComparison.Ordinal);
    }
}
