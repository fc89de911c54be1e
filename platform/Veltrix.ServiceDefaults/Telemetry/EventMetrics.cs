using System.Diagnostics.Metrics;

namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// Counts events through a service without service code, once, where they happen: publishes by Veltrix.Events'
/// <c>EventPublisher</c> (what the sidecar accepted or refused), deliveries by Veltrix.Events' delivery handler on the
/// topic endpoints it maps (what the app answered, per entry). One meter, <see cref="MeterName"/>, for every event
/// counter (Veltrix.Events' routing and dead-letter counters share it). Tags: <c>topic</c> and <c>pubsub</c> (bounded
/// by the app's own subscriptions and publishes). Prometheus reads <c>veltrix.events.delivered</c> as
/// <c>veltrix_events_delivered_total</c>.
/// </summary>
public sealed class EventMetrics
{
    public const string MeterName = "Veltrix.Events";

    private readonly Counter<long> _published;
    private readonly Counter<long> _publishFailed;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _dropped;
    private readonly Histogram<double> _deliveryDuration;

    /// <summary>As ASP.NET Core's request durations: deliveries take milliseconds, a lane that waits takes seconds.</summary>
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    public EventMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        // From the factory: one meter per container, so two apps in one process (tests) never share counts.
        var meter = meterFactory.Create(MeterName);
        _published = meter.CreateCounter<long>("veltrix.events.published", "{event}", "Events the sidecar accepted for publishing.");
        _publishFailed = meter.CreateCounter<long>("veltrix.events.publish_failed", "{event}", "Events the sidecar refused or could not be reached for.");
        _delivered = meter.CreateCounter<long>("veltrix.events.delivered", "{event}", "Deliveries this app acknowledged (SUCCESS).");
        _retried = meter.CreateCounter<long>("veltrix.events.retried", "{event}", "Deliveries this app asked to be retried (RETRY or an error status).");
        _dropped = meter.CreateCounter<long>("veltrix.events.dropped", "{event}", "Deliveries this app dropped (DROP or 404); dead-lettered if the subscription has a dead-letter topic.");
        _deliveryDuration = meter.CreateHistogram("veltrix.events.delivery.duration", "s",
            "Time from a delivery's arrival at its handler's endpoint to its answer, the wait for a lane slot included; one per request (a bulk delivery is one).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    public void Published(string pubsub, string topic, long count) => Add(_published, pubsub, topic, count);
    public void PublishFailed(string pubsub, string topic, long count) => Add(_publishFailed, pubsub, topic, count);
    public void Delivered(string pubsub, string topic, long count = 1) => Add(_delivered, pubsub, topic, count);
    public void Retried(string pubsub, string topic, long count = 1) => Add(_retried, pubsub, topic, count);
    public void Dropped(string pubsub, string topic, long count = 1) => Add(_dropped, pubsub, topic, count);

    /// <summary>One delivery request on a consumer's route: <paramref name="lane"/> is its event type's lane (critical, standard, bulk).</summary>
    public void DeliveryTook(string pubsub, string topic, string lane, TimeSpan elapsed) =>
        _deliveryDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("pubsub", pubsub),
            new KeyValuePair<string, object?>("lane", lane));

    private static void Add(Counter<long> counter, string pubsub, string topic, long count)
    {
        if (count > 0) counter.Add(count, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("pubsub", pubsub));
    }
}
