using System.Globalization;
using System.Text;
using System.Text.Json;
using Veltrix.Sidecar.Components.State;
using Veltrix.Sidecar.Operations;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Api;

/// <summary>
/// The state API (contract §3): get, save, delete, bulk get and transactions — the HTTP front of
/// <see cref="StateAccess"/>, which reads the JSON bodies and maps each outcome to daprd's HTTP status codes.
/// </summary>
public static class StateEndpoints
{
    private static readonly string[] WriteMethods = ["POST", "PUT"];

    public static IEndpointRouteBuilder MapStateApi(this IEndpointRouteBuilder endpoints)
    {
        // {**key}: a key may hold '/', escaped (%2F) or not; KeyOf reads it from the raw URL so that it round-trips.
        endpoints.MapGet("/v1.0/state/{store}/{**key}", GetAsync);
        endpoints.MapMethods("/v1.0/state/{store}", WriteMethods, SaveAsync);
        endpoints.MapDelete("/v1.0/state/{store}/{**key}", DeleteAsync);
        endpoints.MapMethods("/v1.0/state/{store}/bulk", WriteMethods, BulkGetAsync);
        endpoints.MapMethods("/v1.0/state/{store}/transaction", WriteMethods, TransactionAsync);
        return endpoints;
    }

    private static async Task<IResult> GetAsync(HttpContext context, SidecarRuntime runtime, string store)
    {
        var key = StateKeys.FromUrl(context.Request);
        var (item, error) = await StateAccess.GetAsync(runtime.For(context), store, key, context.RequestAborted);
        if (error is not null) return Map(error, runtime.For(context), "ERR_STATE_GET", 500);
        if (item is null) return Results.NoContent();
        context.Response.Headers.ETag = item.ETag;
        if (item.ExpiresAt is { } expires) context.Response.Headers["metadata.ttlExpireTime"] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return Results.Bytes(item.Value, "application/json");
    }

    private static async Task<IResult> SaveAsync(HttpContext context, SidecarRuntime runtime, string store)
    {
        var app = runtime.For(context);
        if (StateAccess.Resolve(app, store, out _) is { } missing) return Map(missing, app, "ERR_STATE_SAVE", 409);
        List<StateItemJson>? items;
        try
        {
            items = JsonSerializer.Deserialize(await context.Request.ReadBodyAsync(context.RequestAborted), SidecarJson.Default.ListStateItemJson);
        }
        catch (JsonException e)
        {
            return DaprErrors.Malformed($"failed deserializing HTTP body: {e.Message}");
        }
        var error = await StateAccess.SaveAsync(app, store, (items ?? []).Select(Write).ToList(), context.Request.QueryMetadata(), context.RequestAborted);
        return error is null ? Results.NoContent() : Map(error, app, "ERR_STATE_SAVE", 409);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, SidecarRuntime runtime, string store)
    {
        var key = StateKeys.FromUrl(context.Request);
        var app = runtime.For(context);
        var etag = context.Request.Headers.IfMatch.ToString();
        var delete = new StateDelete(key, etag, context.Request.Query["concurrency"].ToString());
        var error = await StateAccess.DeleteAsync(app, store, [delete], context.RequestAborted);
        return error is null ? Results.NoContent() : Map(error, app, "ERR_STATE_DELETE", 409);
    }

    private static async Task<IResult> BulkGetAsync(HttpContext context, SidecarRuntime runtime, string store)
    {
        var app = runtime.For(context);
        if (StateAccess.Resolve(app, store, out _) is { } missing) return Map(missing, app, "ERR_STATE_BULK_GET", 500);
        BulkGetRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(await context.Request.ReadBodyAsync(context.RequestAborted), SidecarJson.Default.BulkGetRequest);
        }
        catch (JsonException e)
        {
            return DaprErrors.Malformed($"failed deserializing HTTP body: {e.Message}");
        }
        var (items, error) = await StateAccess.GetManyAsync(app, store, request?.Keys ?? [], context.RequestAborted);
        if (error is not null) return Map(error, app, "ERR_STATE_BULK_GET", 500);
        var results = items.Select(r => r.Error is not null ? new BulkGetItem(r.Key, Error: r.Error)
            : r.Item is { } item ? new BulkGetItem(r.Key, AsJson(item.Value), item.ETag)
            : new BulkGetItem(r.Key)).ToList();
        return Results.Json(results, SidecarJson.Default.ListBulkGetItem);
    }

    private static async Task<IResult> TransactionAsync(HttpContext context, SidecarRuntime runtime, string store)
    {
        var app = runtime.For(context);
        if (StateAccess.Resolve(app, store, out _) is { } missing) return Map(missing, app, "ERR_STATE_TRANSACTION", 500);
        TransactionRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(await context.Request.ReadBodyAsync(context.RequestAborted), SidecarJson.Default.TransactionRequest);
        }
        catch (JsonException e)
        {
            return DaprErrors.Malformed($"failed deserializing HTTP body: {e.Message}");
        }
        var steps = (request?.Operations ?? []).Select(op => new TransactionStep(op.Operation, Write(op.Request ?? new StateItemJson(null, null, null, null, null)))).ToList();
        var error = await StateAccess.TransactAsync(app, store, steps, request?.Metadata ?? [], context.RequestAborted);
        return error is null ? Results.NoContent() : Map(error, app, "ERR_STATE_TRANSACTION", 500);
    }

    private static StateWrite Write(StateItemJson item)
    {
        var value = item.Value is { ValueKind: not JsonValueKind.Undefined } json ? Encoding.UTF8.GetBytes(json.GetRawText()) : "null"u8.ToArray();
        return new StateWrite(item.Key, value, item.Etag, item.Metadata, item.Options?.Concurrency, item.Options?.Consistency);
    }

    /// <summary>daprd's HTTP answer: the operation's error code, with 409 or 500 for a failed ETag condition depending on the call.</summary>
    private static IResult Map(StateError error, AppRuntime app, string errorCode, int conflictStatus) => error.Kind switch
    {
        StateErrorKind.NoStoreConfigured => DaprErrors.StateStoreNotConfigured(app.AppId),
        StateErrorKind.StoreNotFound => DaprErrors.StateStoreNotFound(error.Store, app.AppId),
        StateErrorKind.KeyEmpty => DaprErrors.Malformed("\"key\" is a required field"),
        StateErrorKind.IllegalKey => DaprErrors.Rich(400, "ERR_MALFORMED_REQUEST", "DAPR_STATE_ILLEGAL_KEY", error.Message),
        StateErrorKind.InvalidRequest => DaprErrors.Legacy(400, errorCode, error.Message),
        StateErrorKind.UnsupportedOperation => DaprErrors.Legacy(400, "ERR_NOT_SUPPORTED_STATE_OPERATION", error.Message),
        StateErrorKind.ETagMismatch => DaprErrors.Legacy(conflictStatus, errorCode, error.Message),
        _ => DaprErrors.Legacy(500, errorCode, error.Message),
    };

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
}
