using System.Text.Json.Serialization.Metadata;
using Veltrix.Dapr.Client;

namespace Veltrix.Sagas;

/// <summary><see cref="ISagaStore"/> over the Dapr state API (ETags; first-write without an ETag for insert-only).</summary>
public sealed class DaprSagaStore(DaprClient dapr, string storeName) : ISagaStore
{
    private static readonly StateOptions InsertOnly = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public async Task<Stored<T>?> GetAsync<T>(string key, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var (value, etag) = await dapr.GetStateAndETagAsync(storeName, key, type, cancellationToken: cancellationToken);
        return value is null ? null : new Stored<T>(value, etag);
    }

    public Task<bool> TrySaveAsync<T>(string key, T value, JsonTypeInfo<T> type, string? etag, CancellationToken cancellationToken) =>
        dapr.TrySaveStateIfUnchangedAsync(storeName, key, value, type, etag, cancellationToken);

    public Task<bool> TryDeleteAsync(string key, string etag, CancellationToken cancellationToken) =>
        dapr.TryDeleteStateAsync(storeName, key, etag, InsertOnly, cancellationToken: cancellationToken);
}
