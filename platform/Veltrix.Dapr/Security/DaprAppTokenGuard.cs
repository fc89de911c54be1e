using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Veltrix.Dapr.AspNetCore;

/// <summary>Decides whether a call into the app comes from our sidecar, by the <c>dapr-api-token</c> header.</summary>
internal static class DaprAppTokenGuard
{
    /// <summary>daprd's own wording for the same failure, so logs read alike on both sides.</summary>
    public const string RejectionText = "invalid api token";

    public static bool IsAuthorized(HttpContext context)
    {
        var expected = context.RequestServices.GetService<IOptions<DaprAppTokenOptions>>()?.Value.Resolve()
            ?? DaprDefaults.GetDefaultAppApiToken();
        if (expected is null) return true;

        var presented = context.Request.Headers[DaprDefaults.ApiTokenHeader];
        if (presented.Count != 1 || presented[0] is not { } token) return false;
        // Hash first so the comparison is fixed-time in the token's length as well as its content.
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(token)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    public static Task RejectAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(RejectionText);
    }
}
