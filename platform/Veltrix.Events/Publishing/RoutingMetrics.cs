using System.Diagnostics.Metrics;

namespace Veltrix.Events.Publishing;

/// <summary>
/// Events by the configuration version they were routed (published) or received under. Tags are bounded: types and
/// topics of the configuration, and the last few versions.
/// </summary>
public sealed class RoutingMetrics
{
    public const string MeterName = "Veltrix.Events.Routing";

    private readonly Counter<long> _routed;
    private readonly Counter<long> _received;
    private readonly Counter<long> _deadLetters;

    public RoutingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _routed = meter.CreateCounter<long>("veltrix.events.routed", "{event}", "Events published, by event type, topic and the configuration version that routed them.");
        _received = meter.CreateCounter<long>("veltrix.events.received", "{event}", "Events delivered to this app, by event type and the configuration version they were routed under.");
        _deadLetters = meter.CreateCounter<long>("veltrix.events.dead_letters", "{event}", "Dead letters this app parked as their owner.");
    }

    public void Routed(string type, string topic, string configuration, int version, long count) =>
        _routed.Add(count, new("type", type), new("topic", topic), new("configuration", configuration), new("version", version));

    public void Received(string type, string configuration, string version, long count = 1) =>
        _received.Add(count, new("type", type), new("configuration", configuration), new("version", version));

    public void DeadLetterParked(string type) => _deadLetters.Add(1, new KeyValuePair<string, object?>("type", type));
}
