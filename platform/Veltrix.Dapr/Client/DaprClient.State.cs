using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Veltrix.Dapr.Serialization;

namespace Veltrix.Dapr.Client;

public partial class DaprClient
{
    /// <summary>Reads a key; a missing key gives <c>default</c>.</summary>
    public virtual async Task<TValue?> GetStateAsync<TValue>(string storeName, string key, ConsistencyMode? consistencyMode = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
        (await GetStateAndETagAsync(storeName, key, TypeInfo<TValue>(), consistencyMode, metadata, cancellationToken)).Value;

    public virtual async Task<TValue?> GetStateAsync<TValue>(string storeName, string key, JsonTypeInfo<TValue> jsonTypeInfo,
        ConsistencyMode? consistencyMode = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
        (await GetStateAndETagAsync(storeName, key, jsonTypeInfo, consistencyMode, metadata, cancellationToken)).Value;

    /// <summary>Reads a key and its ETag (empty string when the key is missing or the store has no ETags).</summary>
    public virtual Task<(TValue? Value, string ETag)> GetStateAndETagAsync<TValue>(string storeName, string key, ConsistencyMode? consistencyMode = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
        GetStateAndETagAsync(storeName, key, TypeInfo<TValue>(), consistencyMode, metadata, cancellationToken);

    public virtual async Task<(TValue? Value, string ETag)> GetStateAndETagAsync<TValue>(string storeName, string key, JsonTypeInfo<TValue> jsonTypeInfo,
        ConsistencyMode? consistencyMode = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(jsonTypeInfo);
        var operation = $"Getting key '{key}' from state store '{storeName}'";
        using var request = CreateRequest(HttpMethod.Get,
            DaprRequestUris.StateKey(storeName, key, metadata, ("consistency", StateOptionsWire.ToWire(consistencyMode))));
        using var response = await SendAsync(request, operation, cancellationToken);
        if (IsStatus(response, HttpStatusCode.NoContent)) return (default, "");
        if (!response.IsSuccessStatusCode) throw await DaprErrorParser.CreateAsync(response, operation, cancellationToken);
        try
        {
            return (await ReadJsonAsync(response, jsonTypeInfo, cancellationToken), ETagOf(response));
        }
        catch (JsonException e)
        {
            throw new DaprException($"{operation}: the stored value is not JSON readable as {typeof(TValue).Name}: {e.Message}", e);
        }
    }

    /// <summary>Writes a key (unconditionally, unless <paramref name="stateOptions"/> asks for first-write).</summary>
    /// <exception cref="DaprStateConflictException">first-write found the key already written.</exception>
    public virtual Task SaveStateAsync<TValue>(string storeName, string key, TValue value, StateOptions? stateOptions = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
        SaveCoreAsync(storeName, key, Element(value, TypeInfo<TValue>()), null, stateOptions, metadata, cancellationToken);

    public virtual Task SaveStateAsync<TValue>(string storeName, string key, TValue value, JsonTypeInfo<TValue> jsonTypeInfo, StateOptions? stateOptions = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
        SaveCoreAsync(storeName, key, Element(value, jsonTypeInfo), null, stateOptions, metadata, cancellationToken);

    /// <summary>Compare-and-swap: writes only if the stored ETag still equals <paramref name="etag"/>; false when it does not.</summary>
    public virtual Task<bool> TrySaveStateAsync<TValue>(string storeName, string key, TValue value, string etag, StateOptions? stateOptions = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
        TrySaveStateAsync(storeName, key, value, TypeInfo<TValue>(), etag, stateOptions, metadata, cancellationToken);

    public virtual async Task<bool> TrySaveStateAsync<TValue>(string storeName, string key, TValue value, JsonTypeInfo<TValue> jsonTypeInfo, string etag,
        StateOptions? stateOptions = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        // Like the SDK: an ETag is what makes this a "try"; without one the save would be unconditional.
        ArgumentNullException.ThrowIfNull(etag);
        try
        {
            await SaveCoreAsync(storeName, key, Element(value, jsonTypeInfo), etag, stateOptions, metadata, cancellationToken);
            return true;
        }
        catch (DaprStateConflictException)
        {
            return false;
        }
    }

    /// <summary>
    /// The optimistic write after a <c>GetStateAndETagAsync</c>:
    /// compare-and-swap against the ETag read, or — when nothing was stored then (a null or empty ETag) — create the key
    /// only if it still does not exist (first-write). False when another writer came first, either way.
    /// </summary>
    public virtual async Task<bool> TrySaveStateIfUnchangedAsync<TValue>(string storeName, string key, TValue value, JsonTypeInfo<TValue> jsonTypeInfo,
        string? etagRead, CancellationToken cancellationToken = default)
    {
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        if (!string.IsNullOrEmpty(etagRead)) return await TrySaveStateAsync(storeName, key, value, jsonTypeInfo, etagRead, firstWrite, cancellationToken: cancellationToken);
        try
        {
            await SaveCoreAsync(storeName, key, Element(value, jsonTypeInfo), null, firstWrite, null, cancellationToken);
            return true;
        }
        catch (DaprStateConflictException)
        {
            return false;
        }
    }

    private Task SaveCoreAsync(string storeName, string key, JsonElement value, string? etag, StateOptions? stateOptions,
        IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        StateItemWire[] items = [new(key, value, etag, metadata, StateOptionsWire.From(stateOptions))];
        var request = CreateRequest(HttpMethod.Post, DaprRequestUris.State(storeName),
            JsonContent(JsonSerializer.SerializeToUtf8Bytes(items, DaprJsonContext.Default.StateItemWireArray)));
        return SendExpectingNoContentAsync(request, $"Saving key '{key}' to state store '{storeName}'", cancellationToken, storeName, key);
    }

    /// <summary>Deletes a key (missing keys are not an error).</summary>
    public virtual Task DeleteStateAsync(string storeName, string key, StateOptions? stateOptions = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
        DeleteCoreAsync(storeName, key, null, stateOptions, metadata, cancellationToken);

    /// <summary>Deletes only if the stored ETag equals <paramref name="etag"/>; false when it does not.</summary>
    public virtual async Task<bool> TryDeleteStateAsync(string storeName, string key, string etag, StateOptions? stateOptions = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(etag);
        try
        {
            await DeleteCoreAsync(storeName, key, etag, stateOptions, metadata, cancellationToken);
            return true;
        }
        catch (DaprStateConflictException)
        {
            return false;
        }
    }

    private Task DeleteCoreAsync(string storeName, string key, string? etag, StateOptions? stateOptions,
        IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var request = CreateRequest(HttpMethod.Delete, DaprRequestUris.StateKey(storeName, key, metadata,
            ("concurrency", StateOptionsWire.ToWire(stateOptions?.Concurrency)),
            ("consistency", StateOptionsWire.ToWire(stateOptions?.Consistency))));
        // Raw header: Dapr ETags are unquoted opaque strings, which the typed If-Match header would reject.
        if (etag is not null) request.Headers.TryAddWithoutValidation("If-Match", etag);
        return SendExpectingNoContentAsync(request, $"Deleting key '{key}' from state store '{storeName}'", cancellationToken, storeName, key);
    }

    /// <summary>Reads many keys; each value is left as JSON text. Missing keys have an empty value.</summary>
    public virtual async Task<IReadOnlyList<BulkStateItem>> GetBulkStateAsync(string storeName, IReadOnlyList<string> keys, int? parallelism,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        var items = await GetBulkCoreAsync(storeName, keys, parallelism, metadata, cancellationToken);
        return items.Select(i => new BulkStateItem(i.Key, i.Data is { } data ? data.GetRawText() : "", i.ETag, i.Error)).ToList();
    }

    /// <summary>Reads many keys as <typeparamref name="TValue"/>; missing keys have a default value.</summary>
    public virtual Task<IReadOnlyList<BulkStateItem<TValue>>> GetBulkStateAsync<TValue>(string storeName, IReadOnlyList<string> keys, int? parallelism,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
        GetBulkStateAsync(storeName, keys, parallelism, TypeInfo<TValue>(), metadata, cancellationToken);

    public virtual async Task<IReadOnlyList<BulkStateItem<TValue>>> GetBulkStateAsync<TValue>(string storeName, IReadOnlyList<string> keys, int? parallelism,
        JsonTypeInfo<TValue> jsonTypeInfo, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonTypeInfo);
        var items = await GetBulkCoreAsync(storeName, keys, parallelism, metadata, cancellationToken);
        return items.Select(i => new BulkStateItem<TValue>(i.Key,
            i.Data is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } data ? data.Deserialize(jsonTypeInfo) : default,
            i.ETag, i.Error)).ToList();
    }

    private async Task<IReadOnlyList<BulkGetItemWire>> GetBulkCoreAsync(string storeName, IReadOnlyList<string> keys, int? parallelism,
        IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentNullException.ThrowIfNull(keys);
        if (parallelism is <= 0) throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Parallelism must be positive.");
        var operation = $"Bulk getting {keys.Count} keys from state store '{storeName}'";
        using var request = CreateRequest(HttpMethod.Post, DaprRequestUris.StateBulk(storeName),
            JsonContent(JsonSerializer.SerializeToUtf8Bytes(new BulkGetRequestWire(keys, parallelism, metadata), DaprJsonContext.Default.BulkGetRequestWire)));
        using var response = await SendAsync(request, operation, cancellationToken);
        if (!response.IsSuccessStatusCode) throw await DaprErrorParser.CreateAsync(response, operation, cancellationToken);
        return await ReadJsonAsync(response, DaprJsonContext.Default.IReadOnlyListBulkGetItemWire, cancellationToken) ?? [];
    }

    /// <summary>Applies upserts and deletes atomically. An ETag mismatch inside a transaction is a 500 (ERR_STATE_TRANSACTION), not 409.</summary>
    public virtual Task ExecuteStateTransactionAsync(string storeName, IReadOnlyList<StateTransactionRequest> operations,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentNullException.ThrowIfNull(operations);
        var wire = operations.Select(o => new TransactionOperationWire(
            o.OperationType == StateOperationType.Upsert ? "upsert" : "delete",
            new StateItemWire(o.Key, o.OperationType == StateOperationType.Upsert ? ParseValue(o) : null, o.ETag, o.Metadata, StateOptionsWire.From(o.Options))))
            .ToList();
        var request = CreateRequest(HttpMethod.Post, DaprRequestUris.StateTransaction(storeName),
            JsonContent(JsonSerializer.SerializeToUtf8Bytes(new TransactionRequestWire(wire, metadata), DaprJsonContext.Default.TransactionRequestWire)));
        return SendExpectingNoContentAsync(request, $"Executing a {operations.Count}-operation transaction on state store '{storeName}'", cancellationToken);
    }

    private static JsonElement ParseValue(StateTransactionRequest operation)
    {
        if (operation.Value is null) return JsonSerializer.SerializeToElement<object?>(null, DaprJsonContext.Default.Object);
        try
        {
            using var document = JsonDocument.Parse(operation.Value);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The value of transaction operation for key '{operation.Key}' is not UTF-8 JSON; the Dapr HTTP API stores state values as JSON. Use StateTransactionRequest.Upsert to serialise a value.", nameof(operation), e);
        }
    }

    private static JsonElement Element<TValue>(TValue value, JsonTypeInfo<TValue> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return JsonSerializer.SerializeToElement(value, typeInfo);
    }
}
