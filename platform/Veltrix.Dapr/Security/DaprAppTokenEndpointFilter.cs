using Microsoft.AspNetCore.Http;

namespace Veltrix.Dapr.AspNetCore;

/// <summary>Answers 401 before the handler runs when the sidecar's app token is missing or wrong.</summary>
internal sealed class DaprAppTokenEndpointFilter : IEndpointFilter
{
    public static readonly DaprAppTokenEndpointFilter Instance = new();

    private static readonly IResult Unauthorized = Results.Text(DaprAppTokenGuard.RejectionText, "text/plain", statusCode: StatusCodes.Status401Unauthorized);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        DaprAppTokenGuard.IsAuthorized(context.HttpContext) ? next(context) : ValueTask.FromResult<object?>(Unauthorized);
}

/// <summary>Marks endpoints already protected by <see cref="DaprAppTokenEndpointFilter"/>, so it is added once and middleware skips them.</summary>
internal sealed class DaprAppTokenRequiredMetadata
{
    public static readonly DaprAppTokenRequiredMetadata Instance = new();
}
