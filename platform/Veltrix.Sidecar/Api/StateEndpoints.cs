using System.Globalization;
using System.Text;
using System.Text.Json;
using Veltrix.Sidecar.Components.State;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Api;

/// <summary>The state API (contract §3): get, save, delete, bulk get and transactions, with daprd's status codes.</summary>
public static class StateEndpoints
{
    private static readonly string[] WriteMethods = ["POST", "PUT"];

    public static IEndpointRouteBuilder MapStateApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1.0/state/{store}/{key}", GetAsync);
        endpoints.MapMethods("/v1.0/state/{store}", WriteMethods, SaveAsync);
        endpoints.MapDelete("/v1.0/state/{store}/{key}", DeleteAsync);
        endpoints.MapMethods("/v1.0/state/{store}/bulk", WriteMethods, BulkGetAsync);
        endpoints.MapMethods("/v1.0/state/{store}/transaction", WriteMethods, TransactionAsync);
        return endpoints;
    }

    private static async Task<IResult> GetAsync(HttpContext context, SidecarRuntime runtime, string store, string key)
    {
        var app = runtime.For(context);
        if (Resolve(app, store, out var component) is { } error) return error;
        if (!StateKeys.IsLegal(key)) return IllegalKey(key);
        StoredState? item;
        try
        {
            item = await component.GetAsync(StateKeys.Build(component.Resource, app.AppId, key), context.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return DaprErrors.Legacy(500, "ERR_STATE_GET", $"fail to get {key} from state store {store}: {e.Message}");
        }
        if (item is null) return Results.NoContent();
        context.Response.Headers.ETag = item.ETag;
        if (item.ExpiresAt is { } expires) context.Response.Headers["metadata.ttlExpireTime"] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return Results.Bytes(item.Value, "application/json");
    }

    private static async Task<IResult> SaveAsync(HttpContext context, SidecarRuntime runtime, string store)
    {
        var app = runtime.For(context);
        if (Resolve(app, store, out var component) is { } error) return error;
        List<StateItemJson>? items;
        try
        {
            items = JsonSerializer.Deserialize(await context.Request.ReadBodyAsync(context.RequestAborted), SidecarJson.Default.ListStateItemJson);
        }
        catch (JsonException e)
        {
            return DaprErrors.Malformed($"failed deserializing HTTP body: {e.Message}");
        }
        var queryMetadata = context.Request.QueryMetadata();
        var operations = new List<StateOperation>();
        foreach (var item in items ?? [])
        {
            if (Upsert(item, queryMetadata, component, app.AppId, "ERR_STATE_SAVE", out var operation) is { } invalid) return invalid;
            operations.Add(operation!);
        }
        return await ApplyAsync(component, operations, context, conflict => DaprErrors.Legacy(409, "ERR_STATE_SAVE",
            $"failed saving state in state store {store}: possible etag mismatch. error from state store: {conflict}"),
            failure => DaprErrors.Legacy(500, "ERR_STATE_SAVE", $"failed saving state in state store {store}: {failure}"));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, SidecarRuntime runtime, string store, string key)
    {
        var app = runtime.For(context);
        if (Resolve(app, store, out var component) is { } error) return error;
        if (!StateKeys.IsLegal(key)) return IllegalKey(key);
        var etag = context.Request.Headers.IfMatch.ToString();
        if (Concurrency(context.Request.Query["concurrency"].ToString()) is not { } firstWrite)
            return DaprErrors.Legacy(400, "ERR_STATE_DELETE", $"failed deleting state with key {key}: invalid concurrency '{context.Request.Query["concurrency"]}'; use first-write or last-write");
        var operation = new DeleteOperation(StateKeys.Build(component.Resource, app.AppId, key), etag.Length > 0 ? etag : null, firstWrite);
        return await ApplyAsync(component, [operation], context, conflict => DaprErrors.Legacy(409, "ERR_STATE_DELETE",
            $"failed deleting state with key {key}: possible etag mismatch. error from state store: {conflict}"),
            failure => DaprErrors.Legacy(500, "ERR_STATE_DELETE", $"failed deleting state with key {key}: {failure}"));
    }

    private static async Task<IResult> BulkGetAsync(HttpContext context, SidecarRuntime runtime, string store)
    {
        var app = runtime.For(context);
        if (Resolve(app, store, out var component) is { } error) return error;
        BulkGetRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(await context.Request.ReadBodyAsync(context.RequestAborted), SidecarJson.Default.BulkGetRequest);
        }
        catch (JsonException e)
        {
            return DaprErrors.Malformed($"failed deserializing HTTP body: {e.Message}");
        }
        var keys = request?.Keys ?? [];
        var legal = keys.Where(StateKeys.IsLegal).ToList();
        IReadOnlyList<StoredState?> values;
        string? failure = null;
        try
        {
            values = await component.GetManyAsync(legal.Select(key => StateKeys.Build(component.Resource, app.AppId, key)).ToList(), context.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            (values, failure) = (new StoredState?[legal.Count], e.Message); // as daprd: the store's error on every key, not a failed request
        }
        var results = new List<BulkGetItem>(keys.Count);
        var next = 0;
        foreach (var key in keys)
        {
            if (!StateKeys.IsLegal(key))
                results.Add(new BulkGetItem(key, Error: $"input key/keyPrefix '{key}' can't contain '{StateKeys.Separator}'"));
            else if (failure is not null)
            {
                results.Add(new BulkGetItem(key, Error: failure));
                next++;
            }
            else
                results.Add(values[next++] is { } item ? new BulkGetItem(key, AsJson(item.Value), item.ETag) : new BulkGetItem(key));
        }
        return Results.Json(results, SidecarJson.Default.ListBulkGetItem);
    }

    private static async Task<IResult> TransactionAsync(HttpContext context, SidecarRuntime runtime, string store)
    {
        var app = runtime.For(context);
        if (Resolve(app, store, out var component) is { } error) return error;
        TransactionRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(await context.Request.ReadBodyAsync(context.RequestAborted), SidecarJson.Default.TransactionRequest);
        }
        catch (JsonException e)
        {
            return DaprErrors.Malformed($"failed deserializing HTTP body: {e.Message}");
        }
        var operations = new List<StateOperation>();
        foreach (var op in request?.Operations ?? [])
        {
            var item = op.Request ?? new StateItemJson(null, null, null, null, null);
            switch (op.Operation)
            {
                case "upsert":
                    if (Upsert(item, request?.Metadata ?? [], component, app.AppId, "ERR_STATE_TRANSACTION", out var upsert) is { } invalid) return invalid;
                    operations.Add(upsert!);
                    break;
                case "delete":
                    if (string.IsNullOrEmpty(item.Key)) return DaprErrors.Malformed("\"key\" is a required field");
                    if (!StateKeys.IsLegal(item.Key)) return IllegalKey(item.Key);
                    if (Concurrency(item.Options?.Concurrency) is not { } firstWrite)
                        return DaprErrors.Legacy(400, "ERR_STATE_TRANSACTION", $"invalid concurrency '{item.Options?.Concurrency}'; use first-write or last-write");
                    operations.Add(new DeleteOperation(StateKeys.Build(component.Resource, app.AppId, item.Key), NonEmpty(item.Etag), firstWrite));
                    break;
                default:
                    return DaprErrors.Legacy(400, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {op.Operation} not supported");
            }
        }
        return await ApplyAsync(component, operations, context,
            conflict => DaprErrors.Legacy(500, "ERR_STATE_TRANSACTION", $"error while executing state transaction: possible etag mismatch: {conflict}"),
            failure => DaprErrors.Legacy(500, "ERR_STATE_TRANSACTION", $"error while executing state transaction: {failure}"));
    }

    private static IResult? Upsert(StateItemJson item, IReadOnlyDictionary<string, string> defaults, IStateStore component, string appId, string errorCode,
        out StateOperation? operation)
    {
        operation = null;
        if (string.IsNullOrEmpty(item.Key)) return DaprErrors.Malformed("\"key\" is a required field");
        if (!StateKeys.IsLegal(item.Key)) return IllegalKey(item.Key);
        if (Concurrency(item.Options?.Concurrency) is not { } firstWrite)
            return DaprErrors.Legacy(400, errorCode, $"invalid concurrency '{item.Options?.Concurrency}' for key {item.Key}; use first-write or last-write");
        if (item.Options?.Consistency is { Length: > 0 } consistency && consistency is not ("eventual" or "strong"))
            return DaprErrors.Legacy(400, errorCode, $"invalid consistency '{consistency}' for key {item.Key}; use eventual or strong");
        var metadata = new Dictionary<string, string>(defaults, StringComparer.Ordinal);
        foreach (var (name, text) in item.Metadata ?? []) metadata[name] = text;
        TimeSpan? ttl = null;
        if (metadata.TryGetValue("ttlInSeconds", out var ttlText))
        {
            if (!long.TryParse(ttlText, CultureInfo.InvariantCulture, out var seconds))
                return DaprErrors.Legacy(400, errorCode, $"ttlInSeconds '{ttlText}' of key {item.Key} is not a whole number of seconds");
            if (seconds > 0) ttl = TimeSpan.FromSeconds(seconds);
        }
        var value = item.Value is { ValueKind: not JsonValueKind.Undefined } json ? Encoding.UTF8.GetBytes(json.GetRawText()) : "null"u8.ToArray();
        operation = new UpsertOperation(StateKeys.Build(component.Resource, appId, item.Key), value, NonEmpty(item.Etag), firstWrite, ttl);
        return null;
    }

    private static async Task<IResult> ApplyAsync(IStateStore component, List<StateOperation> operations, HttpContext context,
        Func<string, IResult> onConflict, Func<string, IResult> onFailure)
    {
        if (operations.Count == 0) return Results.NoContent();
        try
        {
            await component.ApplyAsync(operations, context.RequestAborted);
            return Results.NoContent();
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

    private static IResult? Resolve(AppRuntime app, string store, out IStateStore component)
    {
        component = null!;
        if (app.StateStores.Count == 0) return DaprErrors.StateStoreNotConfigured(app.AppId);
        if (!app.StateStores.TryGetValue(store, out var found)) return DaprErrors.StateStoreNotFound(store, app.AppId);
        component = found;
        return null;
    }

    /// <summary>first-write → true, last-write or nothing → false, anything else → null (refused).</summary>
    private static bool? Concurrency(string? value) => value switch
    {
        null or "" or "last-write" => false,
        "first-write" => true,
        _ => null,
    };

    private static IResult IllegalKey(string key) =>
        DaprErrors.Rich(400, "ERR_MALFORMED_REQUEST", "DAPR_STATE_ILLEGAL_KEY", $"input key/keyPrefix '{key}' can't contain '{StateKeys.Separator}'");

    private static JsonElement AsJson(byte[] value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(Convert.ToBase64String(value), SidecarJson.Default.String);
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
