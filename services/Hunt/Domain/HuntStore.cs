using System.Collections.Concurrent;
using Dapr.Client;

namespace Veltrix.Hunt.Domain;

/// <summary>Hunts live in the state store; they never change once created, so a read is cached for good.</summary>
public sealed class HuntStore(DaprClient dapr)
{
    public const string StateStore = "statestore";
    private readonly ConcurrentDictionary<string, StoredHunt> _cache = new(StringComparer.Ordinal);

    public async Task SaveAsync(StoredHunt hunt, CancellationToken cancellationToken)
    {
        await dapr.SaveStateAsync(StateStore, Key(hunt.Id), hunt,
            new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: cancellationToken);
        _cache[hunt.Id] = hunt;
    }

    public async Task<StoredHunt?> FindAsync(string huntId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(huntId, out var cached)) return cached;
        var hunt = await dapr.GetStateAsync<StoredHunt?>(StateStore, Key(huntId), cancellationToken: cancellationToken);
        if (hunt is not null) _cache[huntId] = hunt;
        return hunt;
    }

    private static string Key(string huntId) => $"hunt:{huntId}";
}
