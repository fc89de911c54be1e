using Microsoft.AspNetCore.Http.Features;

namespace Veltrix.ServiceDefaults.Limits;

/// <summary>
/// Answers 413 VX3004 as soon as a declared Content-Length exceeds the endpoint's body limit, before any handler or
/// binder reads a byte. Kestrel enforces the same limit while reading (chunked bodies); that error reaches
/// <see cref="ServiceExceptionHandler"/>. The limit is read from the feature, so per-endpoint <c>[RequestSizeLimit]</c> wins.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength is { } length
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { MaxRequestBodySize: { } limit }
            && length > limit)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, ServiceErrorCodes.PayloadTooLarge, "Request body too large",
                $"The request body has {length} bytes; this endpoint accepts at most {limit} (Veltrix:MaxRequestBodyBytes). Send less per request.")
                .ExecuteAsync(context);
        }
        return next(context);
    }
}
