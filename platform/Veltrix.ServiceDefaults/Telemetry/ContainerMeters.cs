using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// The SDK listens to meters by name, process-wide; ASP.NET Core and Veltrix make theirs through the container's
/// <see cref="IMeterFactory"/>. This view keeps a service's metrics to the meters of its own container (and the static
/// ones, such as the runtime's), so two services hosted in one process — the tests do it — never count each other's
/// requests or events.
/// </summary>
internal static class ContainerMeters
{
    public static MeterProviderBuilder AddContainerMetersOnly(this MeterProviderBuilder metrics)
    {
        // The container's factory exists only once the provider is built from it: a deferred step, as instrumentation
        // packages configure themselves.
        if (metrics is not IDeferredMeterProviderBuilder deferred)
            throw new InvalidOperationException("The meter provider is expected to be built from the service container (AddOpenTelemetry().WithMetrics).");
        deferred.Configure((services, builder) => builder.AddView(Only(services.GetRequiredService<IMeterFactory>())));
        return metrics;
    }

    internal static Func<Instrument, MetricStreamConfiguration?> Only(IMeterFactory factory) =>
        instrument => instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, factory) ? null : MetricStreamConfiguration.Drop;
}
