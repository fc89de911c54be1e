using Veltrix.Dapr.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

public static class DaprAppTokenEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Rejects calls without the sidecar's <c>dapr-api-token</c> (when <c>APP_API_TOKEN</c> or
    /// <see cref="DaprAppTokenOptions"/> sets one) with 401. <c>WithTopic</c> and <c>MapSubscribeHandler</c> apply it
    /// themselves; use it on other endpoints only the sidecar should call.
    /// </summary>
    public static TBuilder RequireDaprAppToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.Contains(DaprAppTokenRequiredMetadata.Instance)) return;
            endpoint.Metadata.Add(DaprAppTokenRequiredMetadata.Instance);
            endpoint.FilterFactories.Add((_, next) => invocation => DaprAppTokenEndpointFilter.Instance.InvokeAsync(invocation, next));
        });
        return builder;
    }
}
