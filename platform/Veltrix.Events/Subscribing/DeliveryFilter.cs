using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Events.Model;
using Veltrix.Events.Publishing;

namespace Veltrix.Events.Subscribing;

/// <summary>
/// Runs a consumer's handler inside its lane's slots and its own max-concurrency, and counts what it received by the
/// configuration version each event was routed under.
/// </summary>
internal sealed class DeliveryFilter(string type, Lane lane, int? maxConcurrency) : IEndpointFilter
{
    private readonly SemaphoreSlim? _own = maxConcurrency is { } n ? new SemaphoreSlim(n) : null;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var services = context.HttpContext.RequestServices;
        Count(context, services.GetRequiredService<RoutingMetrics>());
        var slots = services.GetRequiredService<LaneLimiter>().For(lane);
        var aborted = context.HttpContext.RequestAborted;
        await slots.WaitAsync(aborted);
        try
        {
            if (_own is null) return await next(context);
            await _own.WaitAsync(aborted);
            try
            {
                return await next(context);
            }
            finally
            {
                _own.Release();
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private void Count(EndpointFilterInvocationContext context, RoutingMetrics metrics)
    {
        var bulk = context.Arguments.OfType<IBulkSubscribeMessage>().FirstOrDefault();
        var envelopes = bulk is not null ? bulk.CloudEvents : [context.HttpContext.Features.Get<ICloudEventFeature>()?.CloudEvent];
        foreach (var group in envelopes.GroupBy(VersionOf))
            metrics.Received(type, group.Key.Configuration, group.Key.Version, group.Count());
    }

    private static (string Configuration, string Version) VersionOf(CloudEventEnvelope? envelope)
    {
        if (envelope is null) return ("none", "none");
        var configuration = envelope.Extensions.TryGetValue(RoutedEventExtensions.Configuration, out var c) ? c.ToString() : "none";
        var version = envelope.Extensions.TryGetValue(RoutedEventExtensions.Version, out var v) ? v.ToString() : "none";
        return (configuration, version);
    }
}
