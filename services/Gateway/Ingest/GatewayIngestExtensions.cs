using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Veltrix.Gateway.Ingest;

public static class GatewayIngestExtensions
{
    public static IServiceCollection AddGatewayIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection("Gateway")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<InFlightLimiter>();
        services.AddSingleton<DownstreamGate>();
        services.AddSingleton<IngestMetrics>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
