using Dapr.Client;
using Microsoft.Extensions.Caching.Memory;

namespace Veltrix.Hunt.Domain;

/// <summary>
/// Hunts live in the state store; they never change once created, so a read can be cached for as long as memory
/// allows. Anyone may create hunts, so the cache is bounded (`Veltrix:Hunt:CacheSize` hunts, least recently used
/// first out): an evicted hunt is read from the store again. A hunt that does not exist is never cached, so asking
/// for made-up ids grows nothing.
/// </summary>
public sealed class HuntStore(DaprClient dapr, IConfiguration configuration) : IDisposable
{
    public const string StateStore = "statestore";

    /// <summary>`Veltrix:Hunt:CacheSize` hunts at most (10,000 by default), made once: the store is a singleton.</summary>
    private readonly MemoryCache _cache = new(new MemoryCacheOptions
    {
        SizeLimit = Checked(configuration.GetValue("Veltrix:Hunt:CacheSize", 10_000)),
        CompactionPercentage = 0.1,
    });

    /// <summary>Hunts held in memory now (at most `Veltrix:Hunt:CacheSize`).</summary>
    public int Cached => _cache.Count;

    public async Task SaveAsync(StoredHunt hunt, CancellationToken cancellationToken)
    {
        await dapr.SaveStateAsync(StateStore, Key(hunt.Id), hunt,
            new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: cancellationToken);
        Remember(hunt);
    }

    public async Task<StoredHunt?> FindAsync(string huntId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(huntId, out StoredHunt? cached)) return cached;
        var hunt = await dapr.GetStateAsync<StoredHunt?>(StateStore, Key(huntId), cancellationToken: cancellationToken);
        if (hunt is not null) Remember(hunt);
        return hunt;
    }

    private void Remember(StoredHunt hunt) => _cache.Set(hunt.Id, hunt, new MemoryCacheEntryOptions { Size = 1 });

    private static int Checked(int size) => size is >= 1 and <= 10_000_000
        ? size
        : throw new InvalidOperationException($"Veltrix:Hunt:CacheSize is {size}; it must be between 1 and 10,000,000 hunts");

    private static string Key(string huntId) => $"hunt:{huntId}";

    public void Dispose() => _cache.Dispose();
}
