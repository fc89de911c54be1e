using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Veltrix.Dapr.Client;

// The SDK's extension lives here too: `services.AddDaprClient()` needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

public static class DaprClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DaprClient"/> as a typed <see cref="HttpClient"/> client (pooled handlers, HttpClient
    /// telemetry and <c>traceparent</c> propagation included). Options are validated when the host starts.
    /// </summary>
    public static IHttpClientBuilder AddDaprClient(this IServiceCollection services, Action<DaprClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DaprClientOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DaprClientOptions>, DaprClientOptionsValidator>());
        return services.AddHttpClient<DaprClient>();
    }
}
