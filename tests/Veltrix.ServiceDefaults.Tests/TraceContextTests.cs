using System.Collections.Concurrent;
using System.Diagnostics;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Veltrix.Testing;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>
/// One trace from a request to the deliveries it causes, through the real dev sidecar: the app publishes with the
/// official DaprClient (gRPC, traceparent from the HttpClient instrumentation), the sidecar stamps it into the
/// CloudEvent and sends it back with the delivery, and the ASP.NET Core instrumentation continues it.
/// (Delivery counting is Veltrix.Events': Veltrix.Events.Tests.)
/// </summary>
public sealed class TraceContextTests
{
    private sealed record Answer(string Text);

    [Fact]
    public async Task A_deliverys_span_is_recorded_in_the_trace_of_the_request_that_published_it()
    {
        var spans = new ConcurrentQueue<(string TraceId, string? Parent, bool Recorded, string Source)>();
        var publisher = new TaskCompletionSource<(string TraceId, string SpanId)>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Map(WebApplication app)
        {
            app.MapPost("/ok", (Answer answer) =>
            {
                var span = Activity.Current!;
                spans.Enqueue((span.TraceId.ToHexString(), span.ParentSpanId.ToHexString(), span.Recorded, span.Source.Name));
                return Results.Json(new { status = "SUCCESS" });
            }).WithTopic("pubsub", "ok-topic");
            app.MapPost("/publish", async (DaprClient dapr) =>
            {
                publisher.TrySetResult((Activity.Current!.TraceId.ToHexString(), Activity.Current.SpanId.ToHexString()));
                await dapr.PublishEventAsync("pubsub", "ok-topic", new Answer("from a request"));
                return Results.Accepted();
            });
        }

        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        var appPort = FreePort.Next();
        // The sidecar first (its ports are the app's configuration), then the app; the sidecar waits for the app's port.
        await using var sidecar = await SidecarProcess.StartForAppAsync("subscriber", appPort, [resources.Path], waitForApp: false);
        await using var service = await TestService.StartAsync(Map, sidecarPort: sidecar.HttpPort, port: appPort, sidecarGrpcPort: sidecar.GrpcPort);
        await sidecar.WaitUntilHealthyAsync();

        // Sent sampled, as a caller that wants this trace does: the service's own budget for new traces
        // (TraceBudgetTests) may already be spent on the sidecar's start-up calls. The client propagates nothing of its
        // own: it runs in this process, where the service's HttpClient instrumentation would replace the header.
        var sent = ActivityTraceId.CreateRandom().ToHexString();
        using var caller = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = service.Http.BaseAddress };
        using var publish = new HttpRequestMessage(HttpMethod.Post, "/publish");
        publish.Headers.Add("traceparent", $"00-{sent}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        (await caller.SendAsync(publish)).EnsureSuccessStatusCode();

        var request = await publisher.Task;
        Assert.Equal(sent, request.TraceId);
        await Eventually.UntilAsync(() => Task.FromResult(!spans.IsEmpty), "the delivery at /ok");
        var delivery = Assert.Single(spans);
        Assert.Equal(request.TraceId, delivery.TraceId);
        // A child of a span inside the publishing request (its gRPC publish call), not of the request's own span.
        Assert.NotEqual(request.SpanId, delivery.Parent);
        Assert.Equal(("Microsoft.AspNetCore", true), (delivery.Source, delivery.Recorded));
    }
}
