using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Dapr.Client;
using Veltrix.Testing;

namespace Veltrix.Sagas.Tests;

/// <summary>
/// What the engine assumes of its store (reference §3.13's conformance check), for the in-memory store the engine
/// tests use and for <see cref="DaprSagaStore"/> through the real dev sidecar on SQLite — so the engine tests'
/// store behaves as the real one does. Then a saga runs end to end on the real store.
/// </summary>
public sealed class StoreConformanceTests : IAsyncLifetime
{
    private ResourcesFolder _resources = null!;
    private SidecarProcess _sidecar = null!;
    private DaprClient _dapr = null!;

    public async ValueTask InitializeAsync()
    {
        _resources = new ResourcesFolder();
        _resources.Write("statestore.yaml", Yaml.SqliteState("statestore", System.IO.Path.Combine(_resources.Path, "state.db")));
        _sidecar = await SidecarProcess.StartForAppAsync("saga-store", null, [_resources.Path], waitForApp: false);
        // The official client: state goes over the sidecar's gRPC port.
        _dapr = new DaprClientBuilder().UseHttpEndpoint(_sidecar.BaseAddress.ToString()).UseGrpcEndpoint(_sidecar.GrpcAddress.ToString()).Build();
    }

    public async ValueTask DisposeAsync()
    {
        _dapr.Dispose();
        await _sidecar.DisposeAsync();
        _resources.Dispose();
    }

    private ISagaStore Store(string kind) => kind == "dapr" ? new DaprSagaStore(_dapr, "statestore") : new InMemorySagaStore();

    [Theory]
    [InlineData("memory")]
    [InlineData("dapr")]
    public async Task Insert_only_compare_and_swap_and_conditional_delete_behave_alike(string kind)
    {
        var store = Store(kind);
        var key = $"conformance-{Guid.NewGuid():N}";
        var type = SagaJson.Default.SagaIndexShard;
        var ct = TestContext.Current.CancellationToken;
        Assert.Null(await store.GetAsync(key, type, ct));
        Assert.True(await store.TrySaveAsync(key, SagaIndexShard.Empty(), type, null, ct));
        Assert.False(await store.TrySaveAsync(key, SagaIndexShard.Empty(), type, null, ct)); // insert-only: the key exists

        var first = (await store.GetAsync(key, type, ct))!;
        Assert.True(await store.TrySaveAsync(key, SagaIndexShard.Empty(), type, first.ETag, ct));
        Assert.False(await store.TrySaveAsync(key, SagaIndexShard.Empty(), type, first.ETag, ct)); // stale ETag
        var second = (await store.GetAsync(key, type, ct))!;
        Assert.NotEqual(first.ETag, second.ETag);

        Assert.False(await store.TryDeleteAsync(key, first.ETag, ct));
        Assert.True(await store.TryDeleteAsync(key, second.ETag, ct));
        Assert.Null(await store.GetAsync(key, type, ct));
    }

    [Fact]
    public async Task A_saga_with_a_retry_an_event_and_compensation_runs_on_the_real_state_store()
    {
        var downstream = new Downstream();
        downstream.Behaviour["ship"] = (_, _) => throw new NonRetryableStepException("no courier", "VX9996");
        downstream.Behaviour["charge"] = (attempt, _) => attempt == 1 ? throw new IOException("blip") : Task.CompletedTask;
        var saga = TestSagas.Linear("order", ["reserve", "charge", "ship"], _ => new StepOptions(new RetryPolicy(2, TimeSpan.FromSeconds(1))),
            approval: (1, TimeSpan.FromMinutes(5)));
        var time = new FakeTime();
        var store = Store("dapr");
        var options = new SagaOptions { WorkerId = "real-store" };
        var engine = new SagaEngine(store, new SagaRegistry([saga]), options, time, new ServiceCollection().AddSingleton(downstream).BuildServiceProvider(),
            new SagaMetrics(), NullLogger<SagaEngine>.Instance);
        var client = new SagaClient(engine, store, new SagaRegistry([saga]), options, time, NullLogger<SagaClient>.Instance, null);

        await client.StartAsync("order", "real-1", Harness.Input("real-1"));
        await client.RaiseEventAsync("real-1", "approved", Harness.Json(new Approval("ann", true), TestJson.Default.Approval), "e1");
        await engine.RunDueAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        await engine.RunDueAsync();

        var status = (await client.GetAsync("real-1"))!;
        Assert.Equal("COMPENSATED", status.RuntimeStatus);
        Assert.Equal("VX9996", status.Failure!.Code);
        Assert.Equal(["reserve", "charge", "charge", "ship", "compensate:charge", "compensate:reserve"], downstream.Calls);
        Assert.Equal("COMPENSATED", (await client.ListAsync(null, "order", 10, null)).Instances.Single().RuntimeStatus);
        Assert.True(await client.PurgeAsync("real-1"));
        Assert.Null(await client.GetAsync("real-1"));
    }
}
