using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapr.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Veltrix.Events.Publishing;
using Veltrix.Events.Subscribing;
using Veltrix.Testing;

namespace Veltrix.Events.Tests.Runtime;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RoutedEvent<Reading>))]
[JsonSerializable(typeof(RoutedEvent<JsonElement>))]
internal sealed partial class SidecarTestJson : JsonSerializerContext;

/// <summary>
/// The whole path through the real dev sidecar process, as a service runs it: EventPublisher's gRPC bulk publish, the
/// sidecar's bulk and single deliveries, the SDK's /dapr/subscribe and UseCloudEvents, the typed handler, and the
/// delivery counters — an unreadable event is dropped on its own while its batch is delivered.
/// </summary>
public sealed class SidecarDeliveryTests
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
                  bulk: {maxMessages: 100, maxAwaitMs: 50}
              orderingKey: sensorId
            - type: alert.raised
              schema: {sensorId: string, value: integer}
              pubsub: bus
              topic: alerts
              producers: [monitor]
              consumers:
                - app: monitor
                  route: /events/alerts
        """;

    [Fact]
    public async Task Events_published_by_type_reach_the_typed_handler_through_the_sidecar_with_their_ids_and_version()
    {
        var readings = new ConcurrentQueue<IncomingEvent<Reading>>();
        var alerts = new ConcurrentQueue<IncomingEvent<Reading>>();
        using var resources = new ResourcesFolder(Veltrix.Testing.Yaml.InMemoryPubSub("bus"), Veltrix.Testing.Yaml.InMemoryState());
        var appPort = FreePort.Next();
        await using var sidecar = await SidecarProcess.StartForAppAsync("monitor", appPort, [resources.Path], waitForApp: false);
        await using var app = await ConsumerApp.StartAsync("monitor", Yaml, events => events
            .Handle<Reading>("reading.taken", (IReadOnlyList<IncomingEvent<Reading>> batch) =>
            {
                foreach (var reading in batch) readings.Enqueue(reading);
                return batch.Select(_ => BulkSubscribeAppResponseStatus.SUCCESS).ToArray();
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
        await sidecar.WaitUntilHealthyAsync(); // the sidecar has read /dapr/subscribe

        var publisher = app.App.Services.GetRequiredService<EventPublisher>();
        var failed = await publisher.PublishAsync("reading.taken",
            Enumerable.Range(0, 20).Select(i => new OutgoingEvent<Reading>($"r-{i}", new Reading($"s{i % 3}", i))).ToList(),
            SidecarTestJson.Default.RoutedEventReading, TestContext.Current.CancellationToken);
        Assert.Empty(failed);
        // The same type with data that is not a Reading: the sidecar delivers it, the consumer drops it on its own.
        var unreadable = JsonDocument.Parse("""{"sensorId":"s0","value":"high"}""").RootElement;
        Assert.Empty(await publisher.PublishAsync("reading.taken", [new OutgoingEvent<JsonElement>("r-bad", unreadable)],
            SidecarTestJson.Default.RoutedEventJsonElement, TestContext.Current.CancellationToken));
        await publisher.PublishOneAsync("alert.raised", "a-1", new Reading("s1", 99), SidecarTestJson.Default.RoutedEventReading, TestContext.Current.CancellationToken);

        await Eventually.UntilAsync(() => readings.Count >= 20 && !alerts.IsEmpty, "20 readings and 1 alert at the handlers");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"r-{i}").Order(), readings.Select(r => r.Id).Order());
        Assert.All(readings, r => Assert.Equal(("sensors", "1", $"r-{r.Data.Value}"), (r.Configuration, r.Version, r.Id)));
        var alert = Assert.Single(alerts);
        Assert.Equal(("a-1", 99, "sensors", "1"), (alert.Id, alert.Data.Value, alert.Configuration, alert.Version));

        await Eventually.UntilAsync(async () =>
        {
            var scrape = await MetricsScrape.ReadAsync(app.Http);
            var onReadings = new[] { ("pubsub", "bus"), ("topic", "readings") };
            return scrape.Value("veltrix_events_dropped_total", onReadings) == 1
                && scrape.Value("veltrix_events_delivered_total", onReadings) == 20
                && scrape.Value("veltrix_events_published_total", onReadings) == 21;
        }, "published 21, delivered 20 and dropped 1 on readings");
        Assert.DoesNotContain(readings, r => r.Id == "r-bad");
    }
}
