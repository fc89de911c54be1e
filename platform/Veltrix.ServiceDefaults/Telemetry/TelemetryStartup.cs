using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Veltrix.ServiceDefaults.Metrics;

namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// Resolving the providers and the <c>/metrics</c> listener is what starts them; a hosted service does it as the host
/// starts, so the first request is already traced and measured. Disposal stays with the container.
/// </summary>
internal sealed class TelemetryStartup(TracerProvider tracerProvider, MeterProvider meterProvider, PrometheusMetrics prometheus) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(tracerProvider);
        GC.KeepAlive(meterProvider);
        GC.KeepAlive(prometheus);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
