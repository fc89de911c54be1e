using Dapr;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Veltrix.ServiceDefaults.Security;

/// <summary>
/// The app side of <c>APP_API_TOKEN</c>, with the SDK's own scheme: <c>AddAuthentication().AddDapr()</c> reads the
/// <c>dapr-api-token</c> header and <c>AddAuthorization(o =&gt; o.AddDapr())</c> is the policy that requires it. The
/// authorization middleware runs before the endpoint, so a delivery without the token is refused before its body is
/// read. Without a configured token nothing is registered and nothing is checked — the SDK's handler would otherwise
/// refuse every sidecar call (the sidecar sends no header then).
/// </summary>
public static class DaprAppToken
{
    /// <summary>The authorization policy sidecar-only endpoints require.</summary>
    public const string PolicyName = "Dapr";

    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrEmpty(DaprDefaults.GetDefaultAppApiToken(configuration));

    internal static void AddDaprAppToken(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthentication().AddDapr(options => options.Token = DaprDefaults.GetDefaultAppApiToken(configuration));
        services.AddAuthorization(options => options.AddDapr(PolicyName));
        services.AddSingleton(new DaprAppTokenMarker(IsConfigured(configuration)));
    }

    /// <summary>
    /// Requires the sidecar's app token on this endpoint when <c>APP_API_TOKEN</c> is set (the generated topic endpoints
    /// and <c>/dapr/subscribe</c> get it from Veltrix; use it on any other endpoint only the sidecar should call).
    /// </summary>
    public static TBuilder RequireDaprAppToken<TBuilder>(this TBuilder builder, IServiceProvider services) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (services.GetService<DaprAppTokenMarker>() is { Enabled: true }) builder.RequireAuthorization(PolicyName);
        return builder;
    }

    /// <summary>
    /// For sidecar-only commands that move value (scoring's debit): the app token is required when configured, and
    /// without one the endpoint is closed (401 VX3008) instead of open to anyone who can reach the app's port. A run
    /// through AppHost or the Kubernetes manifests always has the token; a bare process does not, and then nobody —
    /// neither an anonymous caller nor a player — can reach the command.
    /// </summary>
    public static TBuilder RequireDaprAppTokenOrClose<TBuilder>(this TBuilder builder, IServiceProvider services) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (services.GetService<DaprAppTokenMarker>() is { Enabled: true }) return builder.RequireAuthorization(PolicyName);
        builder.Add(endpoint => endpoint.RequestDelegate = Closed);
        return builder;
    }

    private static Task Closed(HttpContext context) =>
        Problems.Create(StatusCodes.Status401Unauthorized, ServiceErrorCodes.Unauthorized, "Sidecar-only route closed",
            $"{context.Request.Path} is reached only through Dapr service invocation with the app token, and this app has no APP_API_TOKEN, so it is closed; start it through AppHost or give it APP_API_TOKEN (Dapr's app-token-secret)")
            .ExecuteAsync(context);

    private sealed record DaprAppTokenMarker(bool Enabled);
}
