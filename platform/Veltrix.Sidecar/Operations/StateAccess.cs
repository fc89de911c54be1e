using System.Globalization;
using Veltrix.Sidecar.Api;
using Veltrix.Sidecar.Components.State;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Operations;

/// <summary>
/// The state API once for both front-ends: store lookup, key legality and prefixing (<see cref="StateKeys"/>),
/// options, TTL, ETag and first-write conditions and transactions, with daprd's messages. Results carry a typed
/// <see cref="StateError"/>; HTTP and gRPC each map it to their own status codes.
/// </summary>
public static class StateAccess
{
    public static StateError? Resolve(AppRuntime app, string store, out IStateStore component)
    {
        component = null!;
        if (app.StateStores.Count == 0) return new StateError(StateErrorKind.NoStoreConfigured, $"state store {store} is not configured", store);
        if (!app.StateStores.TryGetValue(store, out var found)) return new StateError(StateErrorKind.StoreNotFound, $"state store {store} is not found", store);
        component = found;
        return null;
    }

    public static async Task<(StoredState? Item, StateError? Error)> GetAsync(AppRuntime app, string store, string key, CancellationToken cancellationToken)
    {
        if (Resolve(app, store, out var component) is { } error) return (null, error);
        if (CheckKey(store, key) is { } invalid) return (null, invalid);
        try
        {
            return (await component.GetAsync(StateKeys.Build(component.Resource, app.AppId, key), cancellationToken), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, new StateError(StateErrorKind.StoreFailed, $"fail to get {key} from state store {store}: {e.Message}", store, key));
        }
    }

    /// <summary>One result per key, in order. As daprd, a store failure or an illegal key is reported on the item, not as a failed call.</summary>
    public static async Task<(IReadOnlyList<BulkStateResult> Items, StateError? Error)> GetManyAsync(
        AppRuntime app, string store, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (Resolve(app, store, out var component) is { } error) return ([], error);
        var legal = keys.Where(StateKeys.IsLegal).ToList();
        IReadOnlyList<StoredState?> values;
        string? failure = null;
        try
        {
            values = await component.GetManyAsync(legal.Select(key => StateKeys.Build(component.Resource, app.AppId, key)).ToList(), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            (values, failure) = (new StoredState?[legal.Count], e.Message);
        }
        var results = new List<BulkStateResult>(keys.Count);
        var next = 0;
        foreach (var key in keys)
        {
            if (!StateKeys.IsLegal(key))
                results.Add(new BulkStateResult(key, null, IllegalKeyMessage(key)));
            else if (failure is not null)
            {
                results.Add(new BulkStateResult(key, null, failure));
                next++;
            }
            else
                results.Add(new BulkStateResult(key, values[next++], null));
        }
        return (results, null);
    }

    /// <summary>Saves every item or none. `defaults` is request-level metadata each item's own metadata overrides.</summary>
    public static async Task<StateError?> SaveAsync(AppRuntime app, string store, IReadOnlyList<StateWrite> items, IReadOnlyDictionary<string, string> defaults,
        CancellationToken cancellationToken)
    {
        if (Resolve(app, store, out var component) is { } error) return error;
        var operations = new List<StateOperation>(items.Count);
        foreach (var item in items)
        {
            if (Upsert(item, defaults, component, store, app.AppId, out var operation) is { } invalid) return invalid;
            operations.Add(operation!);
        }
        return await ApplyAsync(component, operations, cancellationToken,
            conflict => new StateError(StateErrorKind.ETagMismatch,
                $"failed saving state in state store {store}: possible etag mismatch. error from state store: {conflict}", store),
            failure => new StateError(StateErrorKind.StoreFailed, $"failed saving state in state store {store}: {failure}", store));
    }

    /// <summary>Deletes every key or none (one key for the single delete, several for the bulk delete).</summary>
    public static async Task<StateError?> DeleteAsync(AppRuntime app, string store, IReadOnlyList<StateDelete> deletes, CancellationToken cancellationToken)
    {
        if (Resolve(app, store, out var component) is { } error) return error;
        var operations = new List<StateOperation>(deletes.Count);
        foreach (var delete in deletes)
        {
            if (CheckKey(store, delete.Key) is { } invalid) return invalid;
            if (Concurrency(delete.Concurrency) is not { } firstWrite)
                return new StateError(StateErrorKind.InvalidRequest,
                    $"failed deleting state with key {delete.Key}: invalid concurrency '{delete.Concurrency}'; use first-write or last-write", store, delete.Key);
            operations.Add(new DeleteOperation(StateKeys.Build(component.Resource, app.AppId, delete.Key!), NonEmpty(delete.ETag), firstWrite));
        }
        var subject = deletes.Count == 1 ? $"with key {deletes[0].Key}" : $"in state store {store}";
        return await ApplyAsync(component, operations, cancellationToken,
            conflict => new StateError(StateErrorKind.ETagMismatch, $"failed deleting state {subject}: possible etag mismatch. error from state store: {conflict}", store),
            failure => new StateError(StateErrorKind.StoreFailed, $"failed deleting state {subject}: {failure}", store));
    }

    /// <summary>
    /// All steps or none. As in daprd, any store error — an ETag mismatch included — fails the whole transaction
    /// as "error while executing state transaction" (<see cref="StateErrorKind.StoreFailed"/>), not as a conflict.
    /// </summary>
    public static async Task<StateError?> TransactAsync(AppRuntime app, string store, IReadOnlyList<TransactionStep> steps,
        IReadOnlyDictionary<string, string> defaults, CancellationToken cancellationToken)
    {
        if (Resolve(app, store, out var component) is { } error) return error;
        var operations = new List<StateOperation>(steps.Count);
        foreach (var step in steps)
        {
            var item = step.Item;
            switch (step.OperationType)
            {
                case "upsert":
                    if (Upsert(item, defaults, component, store, app.AppId, out var upsert) is { } invalid) return invalid;
                    operations.Add(upsert!);
                    break;
                case "delete":
                    if (CheckKey(store, item.Key) is { } badKey) return badKey;
                    if (Concurrency(item.Concurrency) is not { } firstWrite)
                        return new StateError(StateErrorKind.InvalidRequest, $"invalid concurrency '{item.Concurrency}'; use first-write or last-write", store, item.Key);
                    operations.Add(new DeleteOperation(StateKeys.Build(component.Resource, app.AppId, item.Key!), NonEmpty(item.ETag), firstWrite));
                    break;
                default:
                    return new StateError(StateErrorKind.UnsupportedOperation, $"operation type {step.OperationType} not supported", store);
            }
        }
        return await ApplyAsync(component, operations, cancellationToken,
            conflict => new StateError(StateErrorKind.StoreFailed, $"error while executing state transaction: possible etag mismatch: {conflict}", store),
            failure => new StateError(StateErrorKind.StoreFailed, $"error while executing state transaction: {failure}", store));
    }

    public static string IllegalKeyMessage(string key) => $"input key/keyPrefix '{key}' can't contain '{StateKeys.Separator}'";

    private static StateError? CheckKey(string store, string? key)
    {
        if (string.IsNullOrEmpty(key)) return new StateError(StateErrorKind.KeyEmpty, "state key cannot be empty", store, key);
        return StateKeys.IsLegal(key) ? null : new StateError(StateErrorKind.IllegalKey, IllegalKeyMessage(key), store, key);
    }

    private static StateError? Upsert(StateWrite item, IReadOnlyDictionary<string, string> defaults, IStateStore component, string store, string appId,
        out StateOperation? operation)
    {
        operation = null;
        if (CheckKey(store, item.Key) is { } badKey) return badKey;
        if (Concurrency(item.Concurrency) is not { } firstWrite)
            return new StateError(StateErrorKind.InvalidRequest, $"invalid concurrency '{item.Concurrency}' for key {item.Key}; use first-write or last-write", store, item.Key);
        if (item.Consistency is { Length: > 0 } consistency && consistency is not ("eventual" or "strong"))
            return new StateError(StateErrorKind.InvalidRequest, $"invalid consistency '{consistency}' for key {item.Key}; use eventual or strong", store, item.Key);
        var metadata = new Dictionary<string, string>(defaults, StringComparer.Ordinal);
        foreach (var (name, text) in item.Metadata ?? new Dictionary<string, string>()) metadata[name] = text;
        TimeSpan? ttl = null;
        if (metadata.TryGetValue("ttlInSeconds", out var ttlText))
        {
            if (!long.TryParse(ttlText, CultureInfo.InvariantCulture, out var seconds))
                return new StateError(StateErrorKind.InvalidRequest, $"ttlInSeconds '{ttlText}' of key {item.Key} is not a whole number of seconds", store, item.Key);
            if (seconds > 0) ttl = TimeSpan.FromSeconds(seconds);
        }
        operation = new UpsertOperation(StateKeys.Build(component.Resource, appId, item.Key!), item.Value, NonEmpty(item.ETag), firstWrite, ttl);
        return null;
    }

    private static async Task<StateError?> ApplyAsync(IStateStore component, List<StateOperation> operations, CancellationToken cancellationToken,
        Func<string, StateError> onConflict, Func<string, StateError> onFailure)
    {
        if (operations.Count == 0) return null;
        try
        {
            await component.ApplyAsync(operations, cancellationToken);
            return null;
        }
        catch (ETagMismatchException e)
        {
            return onConflict(e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return onFailure(e.Message);
        }
    }

    /// <summary>first-write → true, last-write or nothing → false, anything else → null (refused).</summary>
    private static bool? Concurrency(string? value) => value switch
    {
        null or "" or "last-write" => false,
        "first-write" => true,
        _ => null,
    };

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
