using System.Security.Cryptography;
using System.Text;
using Veltrix.Sidecar.Hosting;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Api;

/// <summary>
/// With DAPR_API_TOKEN set, every API call must carry it in `dapr-api-token` (compared in constant time). On an
/// HTTP port only the two health checks are exempt, and a refusal is daprd's 401 with the plain text `invalid api
/// token`. On a gRPC port every method is checked — the unimplemented ones too, since this runs before routing —
/// and a refusal is a trailers-only gRPC answer `Unauthenticated` / `Unauthorized`, as daprd's interceptor.
/// </summary>
public sealed class ApiTokenMiddleware(RequestDelegate next, SidecarOptions options, SidecarRuntime runtime)
{
    private readonly byte[]? _expected = options.DaprApiToken is { } token ? Encoding.UTF8.GetBytes(token) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        var grpc = runtime.IsGrpcPort(context.Connection.LocalPort);
        if (_expected is null || (!grpc && IsExempt(context.Request)) || Matches(context.Request.Headers["dapr-api-token"].ToString()))
        {
            await next(context);
            return;
        }
        if (grpc)
        {
            // gRPC carries its status in headers when there is no body ("trailers-only"); HTTP status stays 200.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "16"; // UNAUTHENTICATED
            context.Response.Headers["grpc-message"] = "Unauthorized";
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("invalid api token");
    }

    private bool Matches(string given) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _expected);

    private static bool IsExempt(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Value?.TrimEnd('/') is "/v1.0/healthz" or "/v1.0/healthz/outbound";
}
