using System.Collections.Concurrent;
using System.Diagnostics;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Veltrix.Testing;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>
/// Delivery counters against the real dev sidecar: the app publishes with the official DaprClient (gRPC) and receives
/// on topic endpoints subscribed with the SDK's WithTopic; each delivery is counted once by what the app answered.
/// (Publishes are counted by Veltrix.Events' publisher: Veltrix.Events.Tests.)
/// </summary>
public sealed class EventMetricsTests
{
    private sealed record Answer(string Text);

    [Fact]
    public async Task Deliveries_are_counted_by_the_answer_and_carry_the_publishers_trace()
    {
        var traces = new ConcurrentQueue<string?>();
        void Map(WebApplication app)
        {
            app.MapPost("/ok", (Answer answer, HttpContext http) =>
            {
                traces.Enqueue(Activity.Current?.TraceId.ToHexString());
                return Results.Json(new { status = "SUCCESS" });
            }).WithTopic("pubsub", "ok-topic");
            app.MapPost("/drop", (Answer answer) => Results.Json(new { status = "DROP" })).WithTopic("pubsub", "drop-topic");
            app.MapPost("/gone", (Answer answer) => Results.NotFound()).WithTopic("pubsub", "gone-topic");
            app.MapPost("/publish/{topic}", async (string topic, DaprClient dapr) =>
            {
                await dapr.PublishEventAsync("pubsub", topic, new Answer("from a request"));
                return Results.Accepted();
            });
        }

        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        var appPort = FreePort.Next();
        // The sidecar first (its ports are the app's configuration), then the app; the sidecar waits for the app's port.
        await using var sidecar = await SidecarProcess.StartForAppAsync("subscriber", appPort, [resources.Path], waitForApp: false);
        await using var service = await TestService.StartAsync(Map, sidecarPort: sidecar.HttpPort, port: appPort, sidecarGrpcPort: sidecar.GrpcPort);
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

        Assert.Null(PrometheusText.Value(samples, "veltrix_events_delivered_total", ("topic", "drop-topic")));
        Assert.Null(PrometheusText.Value(samples, "veltrix_events_retried_total", ("topic", "ok-topic")));
        Assert.Contains(traces, t => t == traceId);
    }
}
