using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Veltrix.ServiceDefaults.Security;

/// <summary>
/// Guards operator endpoints: `Authorization: Bearer &lt;token&gt;` must equal VELTRIX_OPERATOR_TOKEN (compared in constant
/// time). Without a configured token the endpoints stay shut (403), never open.
/// </summary>
internal sealed class OperatorTokenFilter : IEndpointFilter
{
    public const string Variable = "VELTRIX_OPERATOR_TOKEN";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = context.HttpContext.RequestServices.GetRequiredService<IConfiguration>()[Variable];
        if (string.IsNullOrEmpty(expected))
            return Problems.Create(StatusCodes.Status403Forbidden, ServiceErrorCodes.Unauthorized, "Operator endpoints are disabled",
                $"this service has no {Variable}; start it with one (AppHost passes it and prints it) to use operator endpoints");
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Unauthorized("the request has no 'Authorization: Bearer <operator token>' header");
        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(expected)))
            return Unauthorized("the operator token is not the one this service was started with");
        return await next(context);
    }

    private static IResult Unauthorized(string detail) =>
        new WithChallenge(Problems.Create(StatusCodes.Status401Unauthorized, ServiceErrorCodes.Unauthorized, "Operator token required",
            detail + $"; send the token from {Variable} (AppHost prints it at start-up)"));

    private sealed class WithChallenge(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
