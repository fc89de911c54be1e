using System.Security.Cryptography;
using System.Text;
using Veltrix.Sidecar.Hosting;

namespace Veltrix.Sidecar.Api;

/// <summary>
/// With DAPR_API_TOKEN set, every API call must carry it in `dapr-api-token`; only the two health checks are exempt,
/// and a refusal is daprd's 401 with the plain text `invalid api token`.
/// </summary>
public sealed class ApiTokenMiddleware(RequestDelegate next, SidecarOptions options)
{
    private readonly byte[]? _expected = options.DaprApiToken is { } token ? Encoding.UTF8.GetBytes(token) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (_expected is null || IsExempt(context.Request) || Matches(context.Request.Headers["dapr-api-token"].ToString()))
        {
            await next(context);
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
