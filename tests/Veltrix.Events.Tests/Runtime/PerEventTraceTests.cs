using System.Collections.Concurrent;
using System.Diagnostics;
using Dapr.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Veltrix.Events.Publishing;
using Veltrix.Events.Subscribing;
using Veltrix.Testing;

namespace Veltrix.Events.Tests.Runtime;

/// <summary>
/// One event is one trace, even when a bulk delivery carries events of many traces and the handler publishes for the
/// whole batch in one call: through the real dev sidecar process, each entry gets its own process span under its
/// CloudEvent's traceparent, and what handling it publishes continues that span, not the batch's nor a neighbour's.
/// </summary>
[Collection(ActivityListeners.Name)]
public sealed class PerEventTraceTests
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
              producers: [monitor]
              consumers:
                - app: monitor
                  route: /events/readings
                  bulk: {maxMessages: 100, maxAwaitMs: 500}
            - type: alert.raised
              schema: {sensorId: string, value: integer}
              pubsub: bus
              topic: alerts
              producers: [monitor]
              consumers:
                - app: monitor
                  route: /events/alerts
                  bulk: {maxMessages: 100, maxAwaitMs: 50}
        """;

    [Fact]
    public async Task Each_entry_of_one_bulk_delivery_is_processed_in_its_own_trace_and_what_it_causes_continues_it()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Veltrix.Events",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var readingBatches = new ConcurrentQueue<string[]>();
        var alerts = new ConcurrentQueue<IncomingEvent<Reading>>();
        using var resources = new ResourcesFolder(Veltrix.Testing.Yaml.InMemoryPubSub("bus"), Veltrix.Testing.Yaml.InMemoryState());
        var appPort = FreePort.Next();
        await using var sidecar = await SidecarProcess.StartForAppAsync("monitor", appPort, [resources.Path], waitForApp: false);
        await using var app = await ConsumerApp.StartAsync("monitor", Yaml, events => events
            .Handle<Reading>("reading.taken", async (IReadOnlyList<IncomingEvent<Reading>> batch, EventPublisher publisher, CancellationToken ct) =>
            {
                readingBatches.Enqueue([.. batch.Select(r => r.Id)]);
                // Like hunt: one publish call for the whole batch, each event naming the entry that caused it.
                var failed = await publisher.PublishAsync("alert.raised",
                    batch.Select(r => new OutgoingEvent<Reading>($"alert-{r.Id}", r.Data, Trace: r.Trace)).ToList(), SidecarTestJson.Default.RoutedEventReading, ct);
                return batch.Select(r => failed.Any(f => f.EntryId == $"alert-{r.Id}") ? BulkSubscribeAppResponseStatus.RETRY : BulkSubscribeAppResponseStatus.SUCCESS).ToArray();
            })
            .Handle<Reading>("alert.raised", (IReadOnlyList<IncomingEvent<Reading>> batch) =>
            {
                foreach (var alert in batch) alerts.Enqueue(alert);
                return batch.Select(_ => BulkSubscribeAppResponseStatus.SUCCESS).ToArray();
            }),
            new Dictionary<string, string?>
            {
                ["DAPR_HTTP_ENDPOINT"] = sidecar.BaseAddress.ToString(),
                ["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcAddress.ToString(),
            }, port: appPort);
        await sidecar.WaitUntilHealthyAsync();

        // Two requests, two traces: their events go out in one bulk publish and arrive in one bulk delivery. The sidecar's
        // delivery workers may split a publish of two between two deliveries (nothing promises one batch), so a split pair
        // proves nothing here and another pair is sent; the checks below run on a pair that arrived together.
        var publisher = app.App.Services.GetRequiredService<EventPublisher>();
        string[]? pair = null;
        ActivityContext first = default, second = default;
        for (var attempt = 1; attempt <= 5 && pair is null; attempt++)
        {
            string[] ids = [$"traced-{attempt}-1", $"traced-{attempt}-2"];
            first = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
            second = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
            Assert.Empty(await publisher.PublishAsync("reading.taken",
                [new OutgoingEvent<Reading>(ids[0], new Reading("s1", 1), Trace: first), new OutgoingEvent<Reading>(ids[1], new Reading("s2", 2), Trace: second)],
                SidecarTestJson.Default.RoutedEventReading, TestContext.Current.CancellationToken));
            await Eventually.UntilAsync(() => ids.All(id => alerts.Any(a => a.Id == $"alert-{id}") && Span("alerts", $"alert-{id}") is not null),
                "both alerts handled and their process spans ended");
            if (readingBatches.Any(batch => ids.All(batch.Contains))) pair = ids;
        }
        Assert.True(pair is not null, $"no pair of the five arrived in one bulk delivery: {string.Join(" | ", readingBatches.Select(b => string.Join(',', b)))}");

        foreach (var (id, cause) in new[] { (pair[0], first), (pair[1], second) })
        {
            var process = Span("readings", id)!;
            Assert.Equal(("readings process", ActivityKind.Consumer), (process.DisplayName, process.Kind));
            Assert.Equal((cause.TraceId, cause.SpanId), (process.TraceId, process.ParentSpanId));

            // The alert it caused: published in the same call as its neighbour's, yet in its own cause's trace, under its process span.
            var alert = Assert.Single(alerts, a => a.Id == $"alert-{id}");
            Assert.Equal(cause.TraceId, alert.Trace.TraceId);
            var alertProcess = Span("alerts", $"alert-{id}")!;
            Assert.Equal((process.TraceId, process.SpanId), (alertProcess.TraceId, alertProcess.ParentSpanId));
            Assert.Equal(alertProcess.SpanId, alert.Trace.SpanId);
        }

        Activity? Span(string topic, string id) => spans.FirstOrDefault(s =>
            (string?)s.GetTagItem("messaging.destination.name") == topic && (string?)s.GetTagItem("messaging.message.id") == id);
    }
}
