using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// Builds the OpenTelemetry providers by hand (OpenTelemetry.Extensions.Hosting is not on the feed): singletons the
/// container disposes with the host, which flushes the exporters on shutdown.
/// </summary>
internal static class OpenTelemetryRegistration
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void AddVeltrixOpenTelemetry(this IServiceCollection services, string serviceName)
    {
        // The exporter reads the endpoint (and protocol, headers) from the OTEL_* variables itself; only switch it on here.
        var export = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable));

        services.AddSingleton(_ =>
        {
            var builder = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName))
                .AddSource([.. TelemetrySources.ActivitySources]);
            if (export) builder.AddOtlpExporter();
            return builder.Build();
        });

        services.AddSingleton(_ =>
        {
            var builder = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName))
                .AddMeter([.. TelemetrySources.Meters]);
            if (export) builder.AddOtlpExporter();
            return builder.Build();
        });

        services.AddHostedService<TelemetryStartup>();
    }
}
