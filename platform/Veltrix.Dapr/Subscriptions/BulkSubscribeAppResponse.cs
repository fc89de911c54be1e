using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Veltrix.Dapr.Serialization;

namespace Veltrix.Dapr.AspNetCore;

/// <summary>Per-entry outcome of a bulk delivery (the SDK's spelling, which is also the wire spelling).</summary>
public enum BulkSubscribeAppResponseStatus
{
    SUCCESS,
    RETRY,
    DROP,
}

public sealed record BulkSubscribeAppResponseEntry(string EntryId, BulkSubscribeAppResponseStatus Status);

/// <summary>
/// The answer to a bulk delivery, <c>{"statuses":[{"entryId","status"}]}</c>. Return it straight from a handler:
/// it writes itself with the wire spelling whatever the app's JSON options are.
/// </summary>
public sealed record BulkSubscribeAppResponse(IReadOnlyList<BulkSubscribeAppResponseEntry> Statuses) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var wire = new BulkSubscribeAppResponseWire(Statuses.Select(s => new BulkSubscribeAppResponseEntryWire(s.EntryId, s.Status.ToString())).ToList());
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(httpContext.Response.Body, wire, DaprJsonContext.Default.BulkSubscribeAppResponseWire, httpContext.RequestAborted);
    }
}

internal sealed record BulkSubscribeAppResponseWire(
    [property: JsonPropertyName("statuses")] IReadOnlyList<BulkSubscribeAppResponseEntryWire> Statuses);

internal sealed record BulkSubscribeAppResponseEntryWire(
    [property: JsonPropertyName("entryId")] string EntryId,
    [property: JsonPropertyName("status")] string Status);
