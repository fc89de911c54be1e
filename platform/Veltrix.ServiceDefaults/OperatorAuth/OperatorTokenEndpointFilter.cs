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

    /// <summary>
    /// Puts the operator-token check in front of the endpoint(s): 401 without a token, 403 with a wrong one (both VX3008).
    /// MapDefaultEndpoints' middleware checks it before the request's body is bound, so an unauthenticated caller learns
    /// nothing from a 400 or 415 about the body; the endpoint filter checks again, so an app that forgot
    /// MapDefaultEndpoints still keeps the endpoint closed.
    /// </summary>
    public static TBuilder RequireOperatorToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(OperatorTokenRequired.Instance).AddEndpointFilter(new OperatorTokenEndpointFilter());

    /// <summary>The refusal for this request, or null when it carries this run's operator token.</summary>
    internal static IResult? Refusal(HttpContext http)
    {
        var expected = http.RequestServices.GetRequiredService<IConfiguration>()[TokenVariable];
        if (string.IsNullOrWhiteSpace(expected))
            return Problems.Create(StatusCodes.Status401Unauthorized, ServiceErrorCodes.Unauthorized, "Operator endpoints closed",
                $"this service has no operator token configured, so its operator endpoints are closed; start it through AppHost or set {TokenVariable}");
        if (expected.Length < MinTokenLength)
            return Problems.Create(StatusCodes.Status401Unauthorized, ServiceErrorCodes.WeakOperatorToken, "Operator token too weak",
                $"this service's {TokenVariable} has {expected.Length} characters, fewer than {MinTokenLength}, so its operator endpoints are closed; set a longer random token (AppHost generates one when the variable is unset)");
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Create(StatusCodes.Status401Unauthorized, ServiceErrorCodes.Unauthorized, "Operator token required",
                $"send 'Authorization: Bearer <token>' with the operator token ({TokenVariable}; AppHost prints it at start-up)");
        }
        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(expected)))
            return Problems.Create(StatusCodes.Status403Forbidden, ServiceErrorCodes.Unauthorized, "Wrong operator token",
                $"the bearer token is not this run's operator token; use the value of {TokenVariable} that AppHost printed");
        return null;
    }

    /// <summary>Endpoint metadata: the endpoint is an operator endpoint.</summary>
    internal sealed class OperatorTokenRequired
    {
        public static readonly OperatorTokenRequired Instance = new();
    }

    private sealed class OperatorTokenEndpointFilter : IEndpointFilter
    {
        public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
            Refusal(context.HttpContext) is { } refused ? ValueTask.FromResult<object?>(refused) : next(context);
    }
}

/// <summary>Refuses a request to an operator endpoint without this run's operator token before anything reads its body.</summary>
internal sealed class OperatorTokenMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<OperatorTokenExtensions.OperatorTokenRequired>() is not null
        && OperatorTokenExtensions.Refusal(context) is { } refused
            ? refused.ExecuteAsync(context)
            : next(context);
}
