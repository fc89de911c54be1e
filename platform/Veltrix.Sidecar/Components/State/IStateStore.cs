namespace Veltrix.Sidecar.Components.State;

/// <summary>A stored value with its opaque ETag and, for keys saved with a TTL, when it expires.</summary>
public sealed record StoredState(byte[] Value, string ETag, DateTimeOffset? ExpiresAt);

/// <summary>One write of a transaction (a single save or delete is a transaction of one).</summary>
public abstract record StateOperation(string Key, string? ETag, bool FirstWrite);

public sealed record UpsertOperation(string Key, byte[] Value, string? ETag, bool FirstWrite, TimeSpan? Ttl) : StateOperation(Key, ETag, FirstWrite);

public sealed record DeleteOperation(string Key, string? ETag, bool FirstWrite) : StateOperation(Key, ETag, FirstWrite);

/// <summary>The write lost an optimistic-concurrency race: the caller's ETag no longer matches.</summary>
public sealed class ETagMismatchException(string key, string reason) : Exception($"etag mismatch for key {key}: {reason}");

public interface IStateStore : IComponent
{
    Task<StoredState?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// The values of several keys, in the order asked (null for a missing key) — the bulk get. Stores that can read
    /// many keys in one go (one lock, one query, one round trip) override this one-by-one default.
    /// </summary>
    async Task<IReadOnlyList<StoredState?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var values = new StoredState?[keys.Count];
        for (var i = 0; i < keys.Count; i++) values[i] = await GetAsync(keys[i], cancellationToken);
        return values;
    }

    /// <summary>Applies every operation or none; throws <see cref="ETagMismatchException"/> when a condition fails.</summary>
    Task ApplyAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken);
}
