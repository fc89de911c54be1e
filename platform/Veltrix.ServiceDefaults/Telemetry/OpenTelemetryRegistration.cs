using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// Every service's traces, metrics and logs through the official OpenTelemetry packages, started and flushed with the
/// host (<c>OpenTelemetry.Extensions.Hosting</c>). All three go over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set
/// (the Aspire dashboard, or any collector; protocol and headers from the standard <c>OTEL_*</c> settings); metrics are
/// also served for Prometheus at <c>/metrics</c>.
/// </summary>
internal static class OpenTelemetryRegistration
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The standard sampler setting: when set, the OpenTelemetry SDK's own sampler replaces the trace budget.</summary>
    public const string SamplerSetting = "OTEL_TRACES_SAMPLER";

    /// <summary>New traces a second this service may start (<see cref="TraceBudgetSampler"/>); 0 records only traces begun upstream.</summary>
    public const string TracesPerSecondSetting = "Telemetry:TracesPerSecond";

    public const double DefaultTracesPerSecond = 0.2;

    public static void AddVeltrixOpenTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var serviceName = TelemetrySources.ServiceName(builder.Environment.ApplicationName);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME wins when given (the Aspire AppHost sets it); otherwise the app id, never unknown_service.
                if (string.IsNullOrEmpty(builder.Configuration["OTEL_SERVICE_NAME"])) resource.AddService(serviceName);
            })
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetrySources.VeltrixPrefix)
                .AddContainerMetersOnly()
                // Every scrape reads the counters as they are now: the exporter's default 300 ms cache would hand a scraper
                // (a benchmark, a test) numbers older than what it just did.
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0))
            .WithTracing(tracing => tracing
                // Continues the traceparent a delivery carries (the sidecar sends the CloudEvent's), so a delivery's span
                // belongs to the trace of the request that published it.
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = TelemetrySources.IsTraced)
                .AddHttpClientInstrumentation()
                .AddGrpcClientInstrumentation()
                .AddSource(TelemetrySources.VeltrixPrefix)
                .SetTraceBudget(builder.Configuration));

        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting])) telemetry.UseOtlpExporter();
    }

    /// <summary>
    /// <see cref="TraceBudgetSampler"/> behind <see cref="ParentBasedSampler"/>, unless <c>OTEL_TRACES_SAMPLER</c> names
    /// one of the SDK's samplers (then the SDK reads it and its <c>OTEL_TRACES_SAMPLER_ARG</c> itself).
    /// </summary>
    private static TracerProviderBuilder SetTraceBudget(this TracerProviderBuilder tracing, IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration[SamplerSetting])) return tracing;
        var text = configuration[TracesPerSecondSetting];
        var perSecond = DefaultTracesPerSecond;
        if (text is not null && (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out perSecond) || perSecond < 0 || !double.IsFinite(perSecond)))
            throw new InvalidOperationException(
                $"{ServiceErrorCodes.TraceBudgetInvalid} {TracesPerSecondSetting} is '{text}': it must be a number of new traces a second, 0 or more " +
                $"(default {DefaultTracesPerSecond}). Fix the setting (environment variable Telemetry__TracesPerSecond), or set {SamplerSetting} to use one of OpenTelemetry's samplers.");
        return tracing.SetSampler(new ParentBasedSampler(new TraceBudgetSampler(perSecond)));
    }
}
