using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Veltrix.Sagas;

/// <summary>
/// <see cref="ISagaStore"/> in memory with the Dapr store's ETag rules (a new ETag per write, first-write insert-only):
/// for tests and single-process tools. Values are kept as JSON, so every read is a fresh copy.
/// </summary>
public class InMemorySagaStore : ISagaStore
{
    private readonly Dictionary<string, (byte[] Json, long ETag)> _items = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _etags;

    public IReadOnlyCollection<string> Keys
    {
        get
        {
            lock (_gate) return _items.Keys.ToList();
        }
    }

    public virtual Task<Stored<T>?> GetAsync<T>(string key, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_items.TryGetValue(key, out var item)
                ? new Stored<T>(JsonSerializer.Deserialize(item.Json, type)!, item.ETag.ToString(CultureInfo.InvariantCulture))
                : null);
        }
    }

    public virtual Task<bool> TrySaveAsync<T>(string key, T value, JsonTypeInfo<T> type, string? etag, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        lock (_gate)
        {
            var exists = _items.TryGetValue(key, out var current);
            if (etag is null ? exists : !exists || current.ETag.ToString(CultureInfo.InvariantCulture) != etag) return Task.FromResult(false);
            _items[key] = (json, ++_etags);
            return Task.FromResult(true);
        }
    }

    public virtual Task<bool> TryDeleteAsync(string key, string etag, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_items.TryGetValue(key, out var current) || current.ETag.ToString(CultureInfo.InvariantCulture) != etag) return Task.FromResult(false);
            _items.Remove(key);
            return Task.FromResult(true);
        }
    }
}
