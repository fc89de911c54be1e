using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Dapr.Client;
using Veltrix.Testing;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>Event counters against the real dev sidecar: publishes through DaprClient, deliveries to topic endpoints.</summary>
public sealed class EventMetricsTests
{
    private sealed record Answer(string Text);

    [Fact]
    public async Task Publishes_through_DaprClient_are_counted_per_topic()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        await using var sidecar = await SidecarProcess.StartForAppAsync("publisher", appPort: null, [resources.Path], waitForApp: false);
        await using var service = await TestService.StartAsync(sidecarPort: sidecar.HttpPort);

        for (var i = 0; i < 3; i++) await service.Dapr.PublishEventAsync("pubsub", "t", new Answer($"a{i}"));
        var bulk = await service.Dapr.BulkPublishEventAsync("pubsub", "bulk/topic", [new Answer("x"), new Answer("y")]);
        Assert.Empty(bulk.FailedEntries);
        await Assert.ThrowsAsync<DaprApiException>(() => service.Dapr.PublishEventAsync("no-such-pubsub", "t", new Answer("z")));

        var text = await service.ScrapeAsync();
        var samples = PrometheusText.Parse(text);
        Assert.Matches("""veltrix_events_published_total\{pubsub="pubsub",topic="t"\} 3\n""", text);
        Assert.Equal(2, PrometheusText.Value(samples, "veltrix_events_published_total", ("topic", "bulk/topic"), ("pubsub", "pubsub")));
        Assert.Equal(1, PrometheusText.Value(samples, "veltrix_events_publish_failed_total", ("topic", "t"), ("pubsub", "no-such-pubsub")));
    }

    [Fact]
    public async Task Publishes_to_an_unreachable_sidecar_are_counted_as_failed()
    {
        await using var service = await TestService.StartAsync();

        await Assert.ThrowsAsync<Veltrix.Dapr.DaprException>(() => service.Dapr.PublishEventAsync("pubsub", "t", new Answer("a")));

        var samples = PrometheusText.Parse(await service.ScrapeAsync());
        Assert.Equal(1, PrometheusText.Value(samples, "veltrix_events_publish_failed_total", ("topic", "t")));
        Assert.Null(PrometheusText.Value(samples, "veltrix_events_published_total", ("topic", "t")));
    }

    [Fact]
    public async Task Deliveries_are_counted_by_the_answer_and_carry_the_publishers_trace()
    {
        var traces = new ConcurrentQueue<string?>();
        void Map(WebApplication app)
        {
            app.MapPost("/ok", (Answer answer, HttpContext http) =>
            {
                traces.Enqueue(http.GetCloudEvent()?.TraceParent);
                return TopicResults.Success();
            }).WithTopic("pubsub", "ok-topic");
            app.MapPost("/drop", (Answer answer) => TopicResults.Drop()).WithTopic("pubsub", "drop-topic");
            app.MapPost("/gone", (Answer answer) => Results.NotFound()).WithTopic("pubsub", "gone-topic");
            app.MapPost("/publish/{topic}", async (string topic, DaprClient dapr) =>
            {
                await dapr.PublishEventAsync("pubsub", topic, new Answer("from a request"));
                return Results.Accepted();
            });
        }

        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        var appPort = FreePort.Next();
        // The sidecar first (its port is the app's configuration), then the app; the sidecar waits for the app's port.
        await using var sidecar = await SidecarProcess.StartForAppAsync("subscriber", appPort, [resources.Path], waitForApp: false);
        await using var service = await TestService.StartAsync(Map, sidecarPort: sidecar.HttpPort, port: appPort);
        await sidecar.WaitUntilHealthyAsync();

        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/publish/ok-topic"))
        {
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            (await service.Http.SendAsync(request)).EnsureSuccessStatusCode();
        }
        await service.Dapr.PublishEventAsync("pubsub", "ok-topic", new Answer("b"));
        await service.Dapr.PublishEventAsync("pubsub", "drop-topic", new Answer("c"));
        await service.Dapr.PublishEventAsync("pubsub", "gone-topic", new Answer("d"));

        IReadOnlyList<Sample> samples = [];
        await Eventually.UntilAsync(async () =>
        {
            samples = PrometheusText.Parse(await service.ScrapeAsync());
            return PrometheusText.Value(samples, "veltrix_events_delivered_total", ("topic", "ok-topic")) == 2
                   && PrometheusText.Value(samples, "veltrix_events_dropped_total", ("topic", "drop-topic")) == 1
                   && PrometheusText.Value(samples, "veltrix_events_dropped_total", ("topic", "gone-topic")) == 1;
        }, "2 deliveries SUCCESS on ok-topic, 1 DROP on drop-topic, 1 404 on gone-topic");

        Assert.Equal(2, PrometheusText.Value(samples, "veltrix_events_published_total", ("topic", "ok-topic")));
        Assert.Null(PrometheusText.Value(samples, "veltrix_events_delivered_total", ("topic", "drop-topic")));
        Assert.Null(PrometheusText.Value(samples, "veltrix_events_retried_total", ("topic", "ok-topic")));
        Assert.Contains(traces, t => t is not null && t.Contains(traceId, StringComparison.Ordinal));
    }
}
