using Veltrix.Resources.Components;

namespace Veltrix.Sidecar.Components.State;

/// <summary>`state.in-memory`: a dictionary behind one lock, UUID etags, TTL, atomic transactions.</summary>
public sealed class InMemoryStateStore(ComponentResource resource, ComponentContext context) : IStateStore
{
    private readonly Dictionary<string, StoredState> _items = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ComponentResource Resource => resource;
    public IReadOnlyList<string> Features { get; } = ["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"];

    public Task InitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<StoredState?> GetAsync(string key, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(Live(key));
    }

    public Task<IReadOnlyList<StoredState?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<StoredState?>>(keys.Select(Live).ToArray());
    }

    public Task ApplyAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // Check every condition against the state as the earlier operations leave it, then commit.
            var pending = new Dictionary<string, StoredState?>(StringComparer.Ordinal);
            foreach (var operation in operations)
            {
                var current = pending.TryGetValue(operation.Key, out var staged) ? staged : Live(operation.Key);
                ETagRules.Check(operation, current?.ETag);
                pending[operation.Key] = operation is UpsertOperation upsert
                    ? new StoredState(upsert.Value, ETagRules.NewETag(), upsert.Ttl is { } ttl ? context.Time.GetUtcNow() + ttl : null)
                    : null;
            }
            foreach (var (key, value) in pending)
            {
                if (value is null) _items.Remove(key);
                else _items[key] = value;
            }
        }
        return Task.CompletedTask;
    }

    private StoredState? Live(string key)
    {
        if (!_items.TryGetValue(key, out var item)) return null;
        if (item.ExpiresAt is { } expires && expires <= context.Time.GetUtcNow())
        {
            _items.Remove(key);
            return null;
        }
        return item;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
