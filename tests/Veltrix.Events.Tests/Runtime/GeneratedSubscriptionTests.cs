using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapr.AspNetCore;
using Veltrix.Events.Subscribing;

namespace Veltrix.Events.Tests.Runtime;

/// <summary>
/// A consumer app on the event configuration, in-process over real HTTP: its /dapr/subscribe (the SDK's
/// MapSubscribeHandler) is generated from the configuration, and each lane has its own delivery slots, so a flood of
/// bulk events does not hold up a critical one.
/// </summary>
public sealed class GeneratedSubscriptionTests : IAsyncLifetime
{
    private const string Yaml = """
        apiVersion: veltrix.io/v1alpha1
        kind: EventConfiguration
        metadata:
          name: lanes
        spec:
          events:
            - type: report.exported
              schema: {reportId: string}
              pubsub: bus
              topic: reports
              producers: [exporter]
              consumers:
                - app: consumer
                  route: /events/reports
              lane: bulk
              deadLetter: {topic: reports.dead, owner: consumer}
            - type: alarm.raised
              schema: {alarmId: string}
              pubsub: bus
              topic: alarms
              producers: [sensor]
              consumers:
                - app: consumer
                  route: /events/alarms
                  bulk: {maxMessages: 50, maxAwaitMs: 20}
              lane: critical
            - type: audit.logged
              schema: {}
              pubsub: bus
              topic: audit
              producers: [consumer]
              consumers:
                - app: auditor
                  route: /events/audit
        """;

    private readonly TaskCompletionSource _releaseFlood = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _floodInside;
    private ConsumerApp _app = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await ConsumerApp.StartAsync("consumer", Yaml, events => events
            .Handle<JsonElement>("report.exported", async (IReadOnlyList<IncomingEvent<JsonElement>> reports) =>
            {
                Interlocked.Increment(ref _floodInside);
                await _releaseFlood.Task;
                return reports.Select(_ => BulkSubscribeAppResponseStatus.SUCCESS).ToArray();
            })
            .Handle<JsonElement>("alarm.raised", (IReadOnlyList<IncomingEvent<JsonElement>> alarms) =>
                alarms.Select(_ => BulkSubscribeAppResponseStatus.SUCCESS).ToArray()),
            new Dictionary<string, string?> { ["Events:BulkSlots"] = "2", ["Events:CriticalSlots"] = "2" });
        _http = _app.Http;
    }

    public async ValueTask DisposeAsync()
    {
        _releaseFlood.TrySetResult();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task The_subscription_document_comes_from_the_configuration()
    {
        var subscriptions = (await _http.GetFromJsonAsync<JsonElement>("/dapr/subscribe")).EnumerateArray().ToList();
        var reports = Assert.Single(subscriptions, s => s.GetProperty("topic").GetString() == "reports");
        Assert.Equal(("bus", "reports.dead"), (reports.GetProperty("pubsubName").GetString(), reports.GetProperty("deadLetterTopic").GetString()));
        Assert.False(reports.TryGetProperty("bulkSubscribe", out _));
        // The SDK writes routes without the leading slash; the sidecar and daprd read both.
        Assert.Equal("events/reports", Route(reports));
        var alarms = Assert.Single(subscriptions, s => s.GetProperty("topic").GetString() == "alarms");
        Assert.Equal("events/alarms", Route(alarms));
        Assert.True(alarms.GetProperty("bulkSubscribe").GetProperty("enabled").GetBoolean());
        Assert.Equal(50, alarms.GetProperty("bulkSubscribe").GetProperty("maxMessagesCount").GetInt32());
        Assert.Equal(20, alarms.GetProperty("bulkSubscribe").GetProperty("maxAwaitDurationMs").GetInt32());
        // The owner of reports.dead parks its dead letters; the change event makes the app follow activations.
        Assert.Contains(subscriptions, s => s.GetProperty("topic").GetString() == "reports.dead" && Route(s) == "veltrix/dead-letters/report.exported");
        Assert.Contains(subscriptions, s => s.GetProperty("topic").GetString() == "veltrix.configuration");
        // audit.logged is produced here, consumed elsewhere: no subscription.
        Assert.DoesNotContain(subscriptions, s => s.GetProperty("topic").GetString() == "audit");
    }

    [Fact]
    public async Task A_flood_of_bulk_lane_events_does_not_hold_up_a_critical_one()
    {
        // Ten slow bulk-lane deliveries at once: two get the lane's slots, eight wait for them.
        var flood = Enumerable.Range(0, 10).Select(i => PostAsync("/events/reports", ConsumerApp.CloudEvent($"r{i}", "report.exported", """{"reportId":"x"}"""))).ToList();
        await WaitUntilAsync(() => Volatile.Read(ref _floodInside) == 2);

        // A critical delivery still goes straight through.
        var alarm = await PostAsync("/events/alarms", contentType: "application/json",
            body: ConsumerApp.Bulk("alarms", [("e1", ConsumerApp.CloudEvent("a1", "alarm.raised", """{"alarmId":"fire"}"""))]));
        Assert.Equal(HttpStatusCode.OK, alarm.StatusCode);
        Assert.Contains("SUCCESS", await alarm.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, Volatile.Read(ref _floodInside));
        Assert.All(flood, f => Assert.False(f.IsCompleted));

        _releaseFlood.SetResult();
        foreach (var response in await Task.WhenAll(flood)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(10, Volatile.Read(ref _floodInside));
    }

    private static string Route(JsonElement subscription) =>
        subscription.TryGetProperty("route", out var route) && route.ValueKind == JsonValueKind.String ? route.GetString()!
            : subscription.GetProperty("routes").GetProperty("default").GetString()!;

    private Task<HttpResponseMessage> PostAsync(string path, string body, string contentType = "application/cloudevents+json") =>
        _http.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    private static Task WaitUntilAsync(Func<bool> condition) => Veltrix.Testing.Eventually.UntilAsync(condition, "two flood deliveries inside the bulk lane");
}
