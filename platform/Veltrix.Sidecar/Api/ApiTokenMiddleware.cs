using System.Security.Cryptography;
using System.Text;
using Veltrix.Sidecar.Hosting;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Api;

/// <summary>
/// With an API token set, every API call must carry it in `dapr-api-token` (compared in constant time): on an app's
/// ports that app's own token (DAPR_API_TOKEN_&lt;APP&gt;) when it has one — so one app's token opens no other app's
/// state, as with one daprd per app — else the shared DAPR_API_TOKEN; on any other port the shared one. On an
/// HTTP port only the two health checks are exempt, and a refusal is daprd's 401 with the plain text `invalid api
/// token`. On a gRPC port every method is checked — the unimplemented ones too, since this runs before routing —
/// and a refusal is a trailers-only gRPC answer `Unauthenticated` / `Unauthorized`, as daprd's interceptor.
/// </summary>
public sealed class ApiTokenMiddleware(RequestDelegate next, SidecarOptions options, SidecarRuntime runtime)
{
    private readonly byte[]? _shared = Bytes(options.DaprApiToken);
    private readonly Dictionary<string, byte[]?> _byApp = runtime.Apps.ToDictionary(a => a.AppId, a => Bytes(options.DaprApiTokenOf(a.AppId)), StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        var port = context.Connection.LocalPort;
        var grpc = runtime.IsGrpcPort(port);
        var expected = runtime.AppOnPort(port) is { } app ? _byApp[app.AppId] : _shared;
        if (expected is null || (!grpc && IsExempt(context.Request)) || Matches(context.Request.Headers["dapr-api-token"].ToString(), expected))
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

    private static bool Matches(string given, byte[] expected) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected);

    private static byte[]? Bytes(string? token) => token is null ? null : Encoding.UTF8.GetBytes(token);

    private static bool IsExempt(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Value?.TrimEnd('/') is "/v1.0/healthz" or "/v1.0/healthz/outbound";
}
