using System.Collections.Concurrent;
using System.Net.Http.Json;
using Dapr.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Veltrix.Events.Publishing;
using Veltrix.Events.Subscribing;
using Veltrix.Testing;

namespace Veltrix.Events.Tests.Runtime;

/// <summary>
/// A handler that throws is answered per entry, through the real dev sidecar with its retry policy and dead-letter
/// topic: one poison event in a bulk delivery costs one dead letter and never its batch; a handler that fails for
/// every event (an outage) gets its events retried, never dropped.
/// </summary>
public sealed class PoisonEventTests
{
    private const string Token = "operator-token-for-poison-tests";

    private static string Yaml(string topic) => $$"""
        apiVersion: veltrix.io/v1alpha1
        kind: EventConfiguration
        metadata:
          name: sensors
        spec:
          events:
            - type: reading.taken
              schema: {sensorId: string, value: integer}
              pubsub: bus
              topic: {{topic}}
              producers: [monitor]
              consumers:
                - app: monitor
                  route: /events/readings
                  bulk: {maxMessages: 100, maxAwaitMs: 200}
              deadLetter: {topic: {{topic}}.dead, owner: monitor}
        """;

    [Fact]
    public async Task One_poison_event_in_a_batch_is_one_dead_letter_and_every_other_event_is_handled_once()
    {
        var handled = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var poisonSeen = 0;
        await using var run = await StartAsync((IReadOnlyList<IncomingEvent<Reading>> batch) =>
        {
            // A handler bug that only one event triggers: it fails whatever batch the event is in.
            if (batch.Any(e => e.Data.Value < 0))
            {
                Interlocked.Increment(ref poisonSeen);
                throw new InvalidOperationException("negative readings break the handler");
            }
            foreach (var e in batch) handled.AddOrUpdate(e.Id, 1, (_, n) => n + 1);
            return batch.Select(_ => BulkSubscribeAppResponseStatus.SUCCESS).ToArray();
        });

        var events = Enumerable.Range(0, 50).Select(i => new OutgoingEvent<Reading>($"r-{i}", new Reading($"s{i}", i))).ToList();
        events.Insert(23, new OutgoingEvent<Reading>("r-poison", new Reading("s-bad", -1)));
        Assert.Empty(await run.Publisher.PublishAsync("reading.taken", events, SidecarTestJson.Default.RoutedEventReading, TestContext.Current.CancellationToken));

        JsonElementPage page = default!;
        await Eventually.UntilAsync(async () =>
        {
            page = await run.DeadLettersAsync();
            return handled.Count == 50 && page.Parked == 1;
        }, "50 readings handled and the poison one parked", TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"r-{i}").Order(), handled.Keys.Order());
        // Handled once each: the batch never failed as a whole, so nothing was redelivered.
        Assert.All(handled, h => Assert.Equal(1, h.Value));
        var letter = Assert.Single(page.Items);
        Assert.Equal("r-poison", letter.EventId);
        Assert.Contains("DROP", letter.Cause, StringComparison.Ordinal);
        // Found by halving the batch (about log2(51) calls), then dropped: never retried to the policy's end.
        var seen = Volatile.Read(ref poisonSeen);
        Assert.InRange(seen, 1, 8);
    }

    [Fact]
    public async Task A_handler_failing_for_every_event_gets_them_retried_not_dropped()
    {
        var broken = 1;
        var calls = 0;
        var handled = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var run = await StartAsync((IReadOnlyList<IncomingEvent<Reading>> batch) =>
        {
            Interlocked.Increment(ref calls);
            if (Volatile.Read(ref broken) == 1) throw new TimeoutException("the store does not answer");
            foreach (var e in batch) handled.AddOrUpdate(e.Id, 1, (_, n) => n + 1);
            return batch.Select(_ => BulkSubscribeAppResponseStatus.SUCCESS).ToArray();
        });

        var events = Enumerable.Range(0, 10).Select(i => new OutgoingEvent<Reading>($"o-{i}", new Reading($"s{i}", i))).ToList();
        Assert.Empty(await run.Publisher.PublishAsync("reading.taken", events, SidecarTestJson.Default.RoutedEventReading, TestContext.Current.CancellationToken));
        await Eventually.UntilAsync(() => Volatile.Read(ref calls) >= 25, "the handler failing for a delivery and a retry of it");
        Volatile.Write(ref broken, 0); // the outage ends

        await Eventually.UntilAsync(() => handled.Count == 10, "all 10 readings handled after the outage", TimeSpan.FromSeconds(30));
        Assert.Equal(0, (await run.DeadLettersAsync()).Parked);
    }

    /// <summary>
    /// The sidecar restarting or a lost compare-and-swap fails some events of a batch and not others: those failures are
    /// the infrastructure's, so the events are retried — dropping them would park accepted events for a cause never in them.
    /// </summary>
    [Fact]
    public async Task An_outage_that_fails_only_some_events_of_a_batch_gets_them_retried_not_dropped()
    {
        var broken = 1;
        var failed = 0;
        var handled = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await using var run = await StartAsync((IReadOnlyList<IncomingEvent<Reading>> batch) =>
        {
            // Odd readings live on a store shard that is down; even ones are fine.
            if (Volatile.Read(ref broken) == 1 && batch.Any(e => e.Data.Value % 2 == 1))
            {
                Interlocked.Increment(ref failed);
                throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "the state store does not answer"));
            }
            foreach (var e in batch) handled.AddOrUpdate(e.Id, 1, (_, n) => n + 1);
            return batch.Select(_ => BulkSubscribeAppResponseStatus.SUCCESS).ToArray();
        });

        var events = Enumerable.Range(0, 10).Select(i => new OutgoingEvent<Reading>($"p-{i}", new Reading($"s{i}", i))).ToList();
        Assert.Empty(await run.Publisher.PublishAsync("reading.taken", events, SidecarTestJson.Default.RoutedEventReading, TestContext.Current.CancellationToken));
        await Eventually.UntilAsync(() => Volatile.Read(ref failed) >= 3, "the handler failing for the odd readings, and again on a retry");
        Volatile.Write(ref broken, 0); // the shard comes back

        await Eventually.UntilAsync(() => handled.Count == 10, "all 10 readings handled after the outage", TimeSpan.FromSeconds(30));
        Assert.Equal(0, (await run.DeadLettersAsync()).Parked);
    }

    private static async Task<PoisonRun> StartAsync(Delegate handler)
    {
        var topic = "readings-" + Guid.NewGuid().ToString("N")[..8];
        var resources = new ResourcesFolder(Veltrix.Testing.Yaml.InMemoryPubSub("bus"), Veltrix.Testing.Yaml.InMemoryState("statestore"),
            Veltrix.Testing.Yaml.InboundRetry("bus", maxRetries: 200));
        var appPort = FreePort.Next();
        var sidecar = await SidecarProcess.StartForAppAsync("monitor", appPort, [resources.Path], waitForApp: false);
        var app = await ConsumerApp.StartAsync("monitor", Yaml(topic), events => events.Handle<Reading>("reading.taken", handler),
            new Dictionary<string, string?>
            {
                ["DAPR_HTTP_ENDPOINT"] = sidecar.BaseAddress.ToString(),
                ["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcAddress.ToString(),
                ["VELTRIX_OPERATOR_TOKEN"] = Token,
            }, port: appPort);
        await sidecar.WaitUntilHealthyAsync();
        return new PoisonRun(resources, sidecar, app);
    }

    private sealed class PoisonRun(ResourcesFolder resources, SidecarProcess sidecar, ConsumerApp app) : IAsyncDisposable
    {
        public EventPublisher Publisher => app.App.Services.GetRequiredService<EventPublisher>();

        public async Task<JsonElementPage> DeadLettersAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/veltrix/dead-letters/reading.taken");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
            using var response = await app.Http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElementPage>())!;
        }

        public async ValueTask DisposeAsync()
        {
            await app.DisposeAsync();
            await sidecar.DisposeAsync();
            resources.Dispose();
        }
    }

    private sealed record JsonElementPage(int Parked, List<ParkedItem> Items);

    private sealed record ParkedItem(string EventId, string? Cause);
}
