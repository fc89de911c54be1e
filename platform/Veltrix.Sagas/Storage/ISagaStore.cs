using System.Text.Json.Serialization.Metadata;

namespace Veltrix.Sagas;

/// <summary>A stored value and the ETag it was read with.</summary>
public sealed record Stored<T>(T Value, string ETag);

/// <summary>
/// The only storage the engine needs: read with ETag, compare-and-swap, insert-only, conditional delete. There is
/// deliberately no unconditional write. A call that throws may or may not have been applied (an ambiguous write):
/// callers read again and decide.
/// </summary>
public interface ISagaStore
{
    Task<Stored<T>?> GetAsync<T>(string key, JsonTypeInfo<T> type, CancellationToken cancellationToken);

    /// <summary>Writes if the stored ETag equals <paramref name="etag"/>, or — with a null ETag — only if the key is absent; false otherwise.</summary>
    Task<bool> TrySaveAsync<T>(string key, T value, JsonTypeInfo<T> type, string? etag, CancellationToken cancellationToken);

    /// <summary>Deletes if the stored ETag equals <paramref name="etag"/>; false otherwise.</summary>
    Task<bool> TryDeleteAsync(string key, string etag, CancellationToken cancellationToken);
}
