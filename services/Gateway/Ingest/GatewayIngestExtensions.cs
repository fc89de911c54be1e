namespace Veltrix.Gateway.Ingest;

public static class GatewayIngestExtensions
{
    public static IServiceCollection AddGatewayIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection("Gateway")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<InFlightLimiter>();
        return services;
    }
}
