using Microsoft.AspNetCore.Http.Features;
using Veltrix.Sidecar.Hosting;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Grpc;

/// <summary>
/// On a gRPC port the request size bound is gRPC's own (MaxReceiveMessageSize = --max-body-size): Kestrel's body
/// limit is lifted there, because it would cut the stream mid-read and the caller would see `Unknown`. When gRPC
/// refuses a message as too large (`ResourceExhausted`), the message says which sidecar bound it hit.
/// </summary>
public sealed class GrpcRequestLimit(RequestDelegate next, SidecarRuntime runtime, SidecarOptions options)
{
    private const string ResourceExhausted = "8";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!runtime.IsGrpcPort(context.Connection.LocalPort))
        {
            await next(context);
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
        await next(context);
        // A refused request is answered "trailers-only": the status is still in the unsent headers here.
        if (!context.Response.HasStarted && context.Response.Headers["grpc-status"] == ResourceExhausted
            && context.Response.Headers["grpc-message"].ToString() is { } message && message.Contains("maximum configured message size", StringComparison.Ordinal))
            context.Response.Headers["grpc-message"] = $"{message} (the dev sidecar's --max-body-size is {options.MaxBodySize} bytes)";
    }
}
