using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Dapr;
using Dapr.Client;
using Grpc.Core;

namespace Veltrix.ServiceDefaults.State;

/// <summary>
/// "Save if unchanged, or create if still absent" over the SDK's <see cref="DaprClient"/>: the optimistic write after a
/// <c>GetStateAndETagAsync</c>, used by the saga store, recent claims and the configuration store.
/// </summary>
public static class DaprStateExtensions
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    /// <summary>
    /// With an ETag: <c>TrySaveStateAsync</c> (compare-and-swap). Without one (nothing was stored when it was read): a
    /// first-write save without ETag, which the store refuses if someone created the key since. False when another
    /// writer came first, either way — read again and decide again.
    /// </summary>
    public static Task<bool> TrySaveStateIfUnchangedAsync<TValue>(this DaprClient dapr, string storeName, string key, TValue value,
        string? etagRead, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dapr);
        return SaveIfUnchangedAsync(etagRead,
            etag => dapr.TrySaveStateAsync(storeName, key, value, etag, FirstWrite, cancellationToken: cancellationToken),
            () => dapr.SaveStateAsync(storeName, key, value, FirstWrite, cancellationToken: cancellationToken));
    }

    /// <summary>The same with the value's JSON contract given (the byte-level state API), for generic stores such as sagas.</summary>
    public static Task<bool> TrySaveStateIfUnchangedAsync<TValue>(this DaprClient dapr, string storeName, string key, TValue value,
        JsonTypeInfo<TValue> jsonTypeInfo, string? etagRead, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dapr);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, jsonTypeInfo);
        return SaveIfUnchangedAsync(etagRead,
            etag => dapr.TrySaveByteStateAsync(storeName, key, bytes, etag, FirstWrite, cancellationToken: cancellationToken),
            () => dapr.SaveByteStateAsync(storeName, key, bytes, FirstWrite, cancellationToken: cancellationToken));
    }

    /// <summary>Compare-and-swap when something was read; otherwise create, where a conflict means someone else created it first.</summary>
    private static async Task<bool> SaveIfUnchangedAsync(string? etagRead, Func<string, Task<bool>> swap, Func<Task> create)
    {
        if (!string.IsNullOrEmpty(etagRead)) return await swap(etagRead);
        try
        {
            await create();
            return true;
        }
        catch (DaprException e) when (IsConflict(e))
        {
            return false;
        }
    }

    /// <summary>
    /// A first-write refused because the key exists is an ETag mismatch to daprd: gRPC <c>Aborted</c>, the same code for
    /// which <c>TrySaveStateAsync</c> answers false.
    /// </summary>
    public static bool IsConflict(DaprException exception) =>
        exception?.InnerException is RpcException { StatusCode: StatusCode.Aborted };
}
