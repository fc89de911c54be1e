using System.Diagnostics.Metrics;
using Veltrix.ServiceDefaults.Telemetry;

namespace Veltrix.Events.Publishing;

/// <summary>
/// Events by the configuration version they were routed (published) or received under. Tags are bounded: types and
/// topics of the configuration, and the last few versions. They share the one event meter with the publish and delivery
/// counters (<see cref="EventMetrics"/>), so one name selects every event counter.
/// </summary>
public sealed class RoutingMetrics
{
    public const string MeterName = EventMetrics.MeterName;

    private readonly Counter<long> _routed;
    private readonly Counter<long> _received;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _replayed;
    private readonly Counter<long> _purged;
    private readonly Counter<long> _evicted;

    public RoutingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _routed = meter.CreateCounter<long>("veltrix.events.routed", "{event}", "Events published, by event type, topic and the configuration version that routed them.");
        _received = meter.CreateCounter<long>("veltrix.events.received", "{event}", "Events delivered to this app, by event type and the configuration version they were routed under.");
        _deadLetters = meter.CreateCounter<long>("veltrix.events.dead_letters", "{event}", "Dead letters this app parked as their owner.");
        _replayed = meter.CreateCounter<long>("veltrix.events.dead_letters.replayed", "{event}", "Parked dead letters an operator replayed to their event type's topic.");
        _purged = meter.CreateCounter<long>("veltrix.events.dead_letters.purged", "{event}", "Parked dead letters an operator purged.");
        _evicted = meter.CreateCounter<long>("veltrix.events.dead_letters.evicted", "{event}", "Parked dead letters dropped, oldest first, past the retention bound.");
    }

    public void Routed(string type, string topic, string configuration, int version, long count) =>
        _routed.Add(count, new("type", type), new("topic", topic), new("configuration", configuration), new("version", version));

    public void Received(string type, string configuration, string version, long count = 1) =>
        _received.Add(count, new("type", type), new("configuration", configuration), new("version", version));

    public void DeadLetterParked(string type) => _deadLetters.Add(1, new KeyValuePair<string, object?>("type", type));

    public void DeadLettersReplayed(string type, long count) => _replayed.Add(count, new KeyValuePair<string, object?>("type", type));

    public void DeadLettersPurged(string type, long count) => _purged.Add(count, new KeyValuePair<string, object?>("type", type));

    public void DeadLettersEvicted(string type, long count) => _evicted.Add(count, new KeyValuePair<string, object?>("type", type));
}
