using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Dapr.Client;
using Veltrix.ServiceDefaults.State;

namespace Veltrix.Sagas;

/// <summary>
/// <see cref="ISagaStore"/> over the SDK's state API with ETags: documents are read with their ETag and written by
/// compare-and-swap (first-write without an ETag when they are new), so two workers never both advance one instance.
/// The byte-level calls keep each document's own source-generated JSON contract.
/// </summary>
public sealed class DaprSagaStore(DaprClient dapr, string storeName) : ISagaStore
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public async Task<Stored<T>?> GetAsync<T>(string key, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var (bytes, etag) = await dapr.GetByteStateAndETagAsync(storeName, key, cancellationToken: cancellationToken);
        if (bytes.IsEmpty) return null;
        var value = JsonSerializer.Deserialize(bytes.Span, type);
        return value is null ? null : new Stored<T>(value, etag);
    }

    public Task<bool> TrySaveAsync<T>(string key, T value, JsonTypeInfo<T> type, string? etag, CancellationToken cancellationToken) =>
        dapr.TrySaveStateIfUnchangedAsync(storeName, key, value, type, etag, cancellationToken);

    public Task<bool> TryDeleteAsync(string key, string etag, CancellationToken cancellationToken) =>
        dapr.TryDeleteStateAsync(storeName, key, etag, FirstWrite, cancellationToken: cancellationToken);
}
