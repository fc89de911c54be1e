using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Veltrix.ServiceDefaults;

/// <summary>
/// Operator endpoints (DESIGN §2.9) need <c>Authorization: Bearer &lt;token&gt;</c> with the token from
/// <c>VELTRIX_OPERATOR_TOKEN</c> (AppHost passes it to every app). Without a configured token, or with one shorter than
/// <see cref="OperatorTokenExtensions.MinTokenLength"/> characters, the endpoints stay closed.
/// </summary>
public static class OperatorTokenExtensions
{
    public const string TokenVariable = "VELTRIX_OPERATOR_TOKEN";

    /// <summary>
    /// The fewest characters an operator token may have. The token opens configuration activation and dead-letter
    /// purges; a short one can be guessed online (every endpoint answers at once), so the endpoints stay closed instead.
    /// AppHost generates 32 characters.
    /// </summary>
    public const int MinTokenLength = 16;

    /// <summary>Puts the operator-token check in front of the endpoint(s): 401 without a token, 403 with a wrong one (both VX3008).</summary>
    public static TBuilder RequireOperatorToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new OperatorTokenEndpointFilter());

    private sealed class OperatorTokenEndpointFilter : IEndpointFilter
    {
        public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var http = context.HttpContext;
            var expected = http.RequestServices.GetRequiredService<IConfiguration>()[TokenVariable];
            if (string.IsNullOrWhiteSpace(expected))
                return ValueTask.FromResult<object?>(Problems.Create(StatusCodes.Status401Unauthorized, ServiceErrorCodes.Unauthorized, "Operator endpoints closed",
                    $"this service has no operator token configured, so its operator endpoints are closed; start it through AppHost or set {TokenVariable}"));
            if (expected.Length < MinTokenLength)
                return ValueTask.FromResult<object?>(Problems.Create(StatusCodes.Status401Unauthorized, ServiceErrorCodes.WeakOperatorToken, "Operator token too weak",
                    $"this service's {TokenVariable} has {expected.Length} characters, fewer than {MinTokenLength}, so its operator endpoints are closed; set a longer random token (AppHost generates one when the variable is unset)"));
            var header = http.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return ValueTask.FromResult<object?>(Problems.Create(StatusCodes.Status401Unauthorized, ServiceErrorCodes.Unauthorized, "Operator token required",
                    $"send 'Authorization: Bearer <token>' with the operator token ({TokenVariable}; AppHost prints it at start-up)"));
            }
            var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
            if (!CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(expected)))
                return ValueTask.FromResult<object?>(Problems.Create(StatusCodes.Status403Forbidden, ServiceErrorCodes.Unauthorized, "Wrong operator token",
                    $"the bearer token is not this run's operator token; use the value of {TokenVariable} that AppHost printed"));
            return next(context);
        }
    }
}
