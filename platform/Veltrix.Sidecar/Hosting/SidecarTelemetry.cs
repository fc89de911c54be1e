using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Veltrix.Sidecar.Workflows;

namespace Veltrix.Sidecar.Hosting;

/// <summary>
/// The sidecar's telemetry, with the official OpenTelemetry packages. Traces of the sidecar's sources go out over OTLP
/// when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`) is set, metrics when it (or
/// `…_METRICS_ENDPOINT`) is — protocol, headers and service name from the standard variables too — and no span is
/// recorded otherwise, so an untraced sidecar pays nothing.
/// Metrics are served as Prometheus text at `GET /metrics` on `--metrics-port`, a listener of its own. It is off by
/// default (daprd's is on, at 9090): tests start many sidecars side by side, and one fixed port would make them collide.
/// </summary>
internal static class SidecarTelemetry
{
    public const string DefaultServiceName = "veltrix-sidecar";

    public static void AddSidecarTelemetry(this WebApplicationBuilder builder, SidecarOptions options)
    {
        var otlpTraces = IsSet("OTEL_EXPORTER_OTLP_ENDPOINT") || IsSet("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        var otlpMetrics = IsSet("OTEL_EXPORTER_OTLP_ENDPOINT") || IsSet("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        if (!otlpTraces && !otlpMetrics && options.MetricsPort is null) return;

        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource =>
        {
            // OTEL_SERVICE_NAME wins when given; otherwise a name that says what sent the spans, not unknown_service.
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME"))) resource.AddService(DefaultServiceName);
        });
        if (otlpTraces) telemetry.WithTracing(tracing => tracing.AddSource(WorkflowTracing.SourceName).AddOtlpExporter());
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(WorkflowMetrics.MeterName);
            // The general endpoint names every signal's destination, so the counters go there too.
            if (otlpMetrics) metrics.AddOtlpExporter();
            // Every scrape reads the counters as they are now; the exporter's default 300 ms cache would hand a scraper
            // (or a test) numbers older than what it just did.
            if (options.MetricsPort is not null) metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
        });
    }

    private static bool IsSet(string variable) => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable));

    public static void ListenForMetrics(this KestrelServerOptions kestrel, SidecarOptions options)
    {
        if (options.MetricsPort is { } port) kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
    }

    /// <summary>
    /// The metrics port serves `GET /metrics` and nothing else (404), ahead of the API middleware: as daprd's metrics
    /// endpoint it needs no `dapr-api-token`, and no Dapr API is reachable through it.
    /// </summary>
    public static void UseMetricsListener(this WebApplication web, SidecarOptions options)
    {
        if (options.MetricsPort is not { } port) return;
        web.MapWhen(context => context.Connection.LocalPort == port, metrics =>
        {
            metrics.UseOpenTelemetryPrometheusScrapingEndpoint(
                meterProvider: null,
                predicate: context => HttpMethods.IsGet(context.Request.Method) && context.Request.Path == "/metrics",
                path: null, configureBranchedPipeline: null, optionsName: null);
            metrics.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
    }
}
