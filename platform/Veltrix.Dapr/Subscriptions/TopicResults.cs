using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Veltrix.Dapr.Serialization;

namespace Veltrix.Dapr.AspNetCore;

/// <summary>
/// What a topic handler answers the sidecar. SUCCESS acks; RETRY is redelivered per the Resiliency policy, then
/// dead-lettered; DROP acks without processing and forwards to the dead-letter topic if one is set.
/// </summary>
public static class TopicResults
{
    private static readonly IResult SuccessResult = new TopicStatusResult("SUCCESS");
    private static readonly IResult RetryResult = new TopicStatusResult("RETRY");
    private static readonly IResult DropResult = new TopicStatusResult("DROP");

    public static IResult Success() => SuccessResult;
    public static IResult Retry() => RetryResult;
    public static IResult Drop() => DropResult;

    public static IResult Status(BulkSubscribeAppResponseStatus status) => status switch
    {
        BulkSubscribeAppResponseStatus.SUCCESS => SuccessResult,
        BulkSubscribeAppResponseStatus.RETRY => RetryResult,
        BulkSubscribeAppResponseStatus.DROP => DropResult,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The answer to a bulk delivery: one status per entry. Entries left out are retried by the sidecar.</summary>
    public static IResult Bulk(IEnumerable<BulkSubscribeAppResponseEntry> statuses) => new BulkSubscribeAppResponse([.. statuses]);

    private sealed class TopicStatusResult : IResult
    {
        private readonly byte[] _body;

        public TopicStatusResult(string status) =>
            _body = JsonSerializer.SerializeToUtf8Bytes(new TopicStatusResponse(status), DaprJsonContext.Default.TopicStatusResponse);

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = _body.Length;
            return httpContext.Response.Body.WriteAsync(_body).AsTask();
        }
    }
}
