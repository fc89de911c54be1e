using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Veltrix.Sagas.Tests;

/// <summary>Thrown by a hook to stand for the process dying at that point.</summary>
internal sealed class SimulatedCrash() : Exception("simulated crash");

/// <summary>
/// A store shared by any number of engines ("workers", "processes"), fake time and the downstream fake. A crash is an
/// engine abandoned mid-tick; a restart is a new engine (new worker id) on the same store.
/// </summary>
internal sealed class Harness
{
    public FakeTime Time { get; } = new();
    public FaultyStore Store { get; } = new();
    public Downstream Downstream { get; } = new();
    public SagaOptions Options { get; } = new() { LeaseDuration = TimeSpan.FromSeconds(30), LeaseGrace = TimeSpan.FromSeconds(5), IndexShards = 4 };

    private readonly ServiceProvider _services;

    public Harness() => _services = new ServiceCollection().AddSingleton(Downstream).BuildServiceProvider();

    public SagaEngine Engine(string worker, params ISagaDefinition[] definitions)
    {
        var options = new SagaOptions
        {
            WorkerId = worker, LeaseDuration = Options.LeaseDuration, LeaseGrace = Options.LeaseGrace, IndexShards = Options.IndexShards,
            MaxInboxEvents = Options.MaxInboxEvents,
        };
        return new SagaEngine(Store, new SagaRegistry(definitions), options, Time, _services, new SagaMetrics(), NullLogger<SagaEngine>.Instance);
    }

    public SagaClient Client(SagaEngine engine, params ISagaDefinition[] definitions) =>
        new(engine, Store, new SagaRegistry(definitions), Options, Time, NullLogger<SagaClient>.Instance, null);

    public static JsonElement Input(string orderId) => JsonSerializer.SerializeToElement(new OrderInput(orderId), TestJson.Default.OrderInput);

    public static JsonElement Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => JsonSerializer.SerializeToElement(value, type);

    public async Task<SagaDocument> DocumentAsync(string id) =>
        (await Store.GetAsync(SagaKeys.Document(id), SagaJson.Default.SagaDocument, CancellationToken.None))!.Value;

    public static OrderData Data(SagaDocument doc) => doc.Data.Deserialize(TestJson.Default.OrderData)!;
}

/// <summary>
/// The in-memory ETag store with faults: a write can fail before it is applied (outage) or after (an ambiguous write
/// whose answer was lost), chosen by key prefix.
/// </summary>
internal sealed class FaultyStore : InMemorySagaStore
{
    private readonly Lock _gate = new();
    private readonly List<(string Prefix, bool Apply)> _faults = [];

    public bool Down { get; set; }

    /// <summary>The next write to a key starting with <paramref name="prefix"/> throws; with <paramref name="apply"/> it is applied first.</summary>
    public void FailNextWrite(string prefix, bool apply)
    {
        lock (_gate) _faults.Add((prefix, apply));
    }

    public override Task<Stored<T>?> GetAsync<T>(string key, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        Down ? throw new IOException("state store unavailable") : base.GetAsync(key, type, cancellationToken);

    public override async Task<bool> TrySaveAsync<T>(string key, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string? etag,
        CancellationToken cancellationToken)
    {
        if (Down) throw new IOException("state store unavailable");
        (string Prefix, bool Apply)? fault = null;
        lock (_gate)
        {
            var index = _faults.FindIndex(f => key.StartsWith(f.Prefix, StringComparison.Ordinal));
            if (index >= 0)
            {
                fault = _faults[index];
                _faults.RemoveAt(index);
            }
        }
        if (fault is { Apply: false }) throw new IOException($"write of {key} failed");
        var saved = await base.TrySaveAsync(key, value, type, etag, cancellationToken);
        if (fault is { Apply: true }) throw new IOException($"the answer to the write of {key} was lost (saved: {saved})");
        return saved;
    }
}
