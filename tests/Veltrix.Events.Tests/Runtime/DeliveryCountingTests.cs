using System.Net;
using System.Text;
using Dapr.AspNetCore;
using Veltrix.Events.Subscribing;
using Veltrix.Testing;

namespace Veltrix.Events.Tests.Runtime;

/// <summary>
/// Deliveries are counted once, by the delivery handler, as the sidecar reads the answer: every bulk entry on its own
/// (SUCCESS → delivered, RETRY → retried, DROP or unreadable → dropped), a single delivery by its status, and a handler
/// that throws as the retry its 500 becomes — all on the one event meter, at <c>/metrics</c>, with each request's
/// duration by its lane.
/// </summary>
public sealed class DeliveryCountingTests : IAsyncLifetime
{
    private const string Yaml = """
        apiVersion: veltrix.io/v1alpha1
        kind: EventConfiguration
        metadata:
          name: sensors
        spec:
          events:
            - type: reading.taken
              schema: {sensorId: string, value: integer}
              pubsub: bus
              topic: readings
              producers: [sensor]
              consumers:
                - app: monitor
                  route: /events/readings
                  bulk: {maxMessages: 100, maxAwaitMs: 10}
            - type: alert.raised
              schema: {sensorId: string, value: integer}
              pubsub: bus
              topic: alerts
              lane: critical
              producers: [sensor]
              consumers:
                - app: monitor
                  route: /events/alerts
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly (string, string)[] Readings = [("pubsub", "bus"), ("topic", "readings")];
    private static readonly (string, string)[] Alerts = [("pubsub", "bus"), ("topic", "alerts")];

    private ConsumerApp _app = null!;

    public async ValueTask InitializeAsync() =>
        _app = await ConsumerApp.StartAsync("monitor", Yaml, events => events
            .Handle<Reading>("reading.taken", (IReadOnlyList<IncomingEvent<Reading>> batch) =>
                batch.Select(e => e.Data.Value switch
                {
                    < 0 => BulkSubscribeAppResponseStatus.DROP,
                    _ when e.Data.Value % 2 == 1 => BulkSubscribeAppResponseStatus.RETRY,
                    _ => BulkSubscribeAppResponseStatus.SUCCESS,
                }).ToArray())
            .Handle<Reading>("alert.raised", (IReadOnlyList<IncomingEvent<Reading>> batch) =>
                batch[0].Data.Value == 666
                    ? throw new InvalidOperationException("the handler failed")
                    : batch.Select(e => e.Data.Value > 100 ? BulkSubscribeAppResponseStatus.DROP : BulkSubscribeAppResponseStatus.SUCCESS).ToArray()));

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Each_bulk_entry_is_counted_by_its_own_status()
    {
        // 4 SUCCESS (even), 3 RETRY (odd), 1 DROP by the handler (negative), 1 DROP unreadable.
        var entries = new[] { 0, 1, 2, 3, 4, 5, 6, -1 }
            .Select(v => ($"e{v}", ConsumerApp.CloudEvent($"r{v}", "reading.taken", $$"""{"sensorId":"s","value":{{v}}}""")))
            .Append(("bad", ConsumerApp.CloudEvent("r-bad", "reading.taken", """{"sensorId":"s","value":"high"}""")));

        var response = await _app.Http.PostAsync("/events/readings", new StringContent(ConsumerApp.Bulk("readings", entries), Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The counters move before the answer is written: one scrape right after it is exact.
        var scrape = await MetricsScrape.ReadAsync(_app.Http);
        Assert.Equal(4, scrape.Value("veltrix_events_delivered_total", Readings));
        Assert.Equal(3, scrape.Value("veltrix_events_retried_total", Readings));
        Assert.Equal(2, scrape.Value("veltrix_events_dropped_total", Readings));
        // One request, timed once, under its type's lane (standard when the configuration names none).
        Assert.Equal(1, scrape.Value("veltrix_events_delivery_duration_seconds_count", ("topic", "readings"), ("lane", "standard")));
    }

    [Fact]
    public async Task A_single_delivery_is_counted_once_by_its_status_and_a_throwing_handler_as_a_retry()
    {
        Assert.Equal(HttpStatusCode.OK, await PostCloudEventAsync(ConsumerApp.CloudEvent("a1", "alert.raised", """{"sensorId":"s","value":5}""")));
        Assert.Equal(HttpStatusCode.OK, await PostCloudEventAsync(ConsumerApp.CloudEvent("a2", "alert.raised", """{"sensorId":"s","value":7}""")));
        Assert.Equal(HttpStatusCode.OK, await PostCloudEventAsync(ConsumerApp.CloudEvent("a3", "alert.raised", """{"sensorId":"s","value":500}""")));
        // A handler that throws is answered RETRY (a lone event cannot be told from an outage), never a 500.
        Assert.Equal(HttpStatusCode.OK, await PostCloudEventAsync(ConsumerApp.CloudEvent("a4", "alert.raised", """{"sensorId":"s","value":666}""")));

        var scrape = await MetricsScrape.ReadAsync(_app.Http);
        Assert.Equal(2, scrape.Value("veltrix_events_delivered_total", Alerts));
        Assert.Equal(1, scrape.Value("veltrix_events_dropped_total", Alerts));
        Assert.Equal(1, scrape.Value("veltrix_events_retried_total", Alerts));
        // Nothing counted against the other topic, and every event counter is on the one meter.
        Assert.Equal(0, scrape.Value("veltrix_events_delivered_total", Readings));
        Assert.Equal(2, scrape.Value("veltrix_events_delivered_total", ("otel_scope_name", "Veltrix.Events"), ("topic", "alerts")));
        Assert.Equal(4, scrape.Value("veltrix_events_received_total", ("otel_scope_name", "Veltrix.Events"), ("type", "alert.raised")));
        Assert.Equal(4, scrape.Value("veltrix_events_delivery_duration_seconds_count", ("topic", "alerts"), ("lane", "critical")));
        Assert.Equal(4, scrape.Value("veltrix_events_delivery_duration_seconds_bucket", ("topic", "alerts"), ("lane", "critical"), ("le", "+Inf")));
    }

    private async Task<HttpStatusCode> PostCloudEventAsync(string cloudEvent)
    {
        using var response = await _app.Http.PostAsync("/events/alerts", new StringContent(cloudEvent, Encoding.UTF8, "application/cloudevents+json"), Ct);
        return response.StatusCode;
    }
}
