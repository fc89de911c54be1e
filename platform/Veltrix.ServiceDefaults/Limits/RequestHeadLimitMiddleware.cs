using Microsoft.AspNetCore.Http.Features;

namespace Veltrix.ServiceDefaults.Limits;

/// <summary>
/// Enforces the service's bounds on the request line and headers with an answer the client can act on: 414 or 431 with
/// <see cref="ServiceErrorCodes.RequestTooLong"/>. Kestrel's own limits answer with a bare status and no body, so
/// <see cref="KestrelLimitsSetup"/> sets them well above these, and Kestrel's bare answer only remains for requests
/// far beyond anything a client of ours sends.
/// </summary>
internal sealed class RequestHeadLimitMiddleware(RequestDelegate next)
{
    public const int MaxRequestTargetLength = 8 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        if (target.Length > MaxRequestTargetLength)
            return Problems.Create(StatusCodes.Status414UriTooLong, ServiceErrorCodes.RequestTooLong, "URL too long",
                $"the request's URL has {target.Length} characters; this service reads at most {MaxRequestTargetLength}. Send long values in a body, not in the path or query.")
                .ExecuteAsync(context);

        var headers = context.Request.Headers;
        var total = 0;
        foreach (var (name, values) in headers)
        {
            total += name.Length;
            foreach (var value in values) total += value?.Length ?? 0;
        }
        if (headers.Count > KestrelLimitsSetup.MaxRequestHeaderCount || total > KestrelLimitsSetup.MaxRequestHeadersTotalSize)
            return Problems.Create(StatusCodes.Status431RequestHeaderFieldsTooLarge, ServiceErrorCodes.RequestTooLong, "Headers too large",
                $"the request has {headers.Count} headers of {total} bytes; this service reads at most {KestrelLimitsSetup.MaxRequestHeaderCount} headers of {KestrelLimitsSetup.MaxRequestHeadersTotalSize} bytes in all. Send fewer or shorter headers.")
                .ExecuteAsync(context);
        return next(context);
    }
}
