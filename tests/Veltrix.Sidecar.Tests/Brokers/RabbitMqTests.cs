using System.Net;
using RabbitMQ.Client;
using Veltrix.Sidecar.Tests.Startup;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Brokers;

/// <summary>
/// What only a real broker shows: durability across a broker restart, daprd's nack semantics (dead-letter exchange,
/// requeue), and the start-up error for a broker that is not there. Every test uses its own topic names.
/// </summary>
[Collection(nameof(BrokerRestarts))]
public sealed class RabbitMqTests
{
    private static string Topic(string name) => $"{name}-{Guid.NewGuid():N}";

    private static async Task<(RecordingApp App, ResourcesFolder Resources, SidecarProcess Sidecar, SidecarApi Api)> StartAsync(
        string appId, string subscriptions, params (string Name, string Value)[] metadata)
    {
        var app = await RecordingApp.StartAsync(subscriptions);
        var resources = new ResourcesFolder(Yaml.RabbitMqPubSub("pubsub", metadata));
        var sidecar = await SidecarProcess.StartForAppAsync(appId, app.Port, [resources.Path]);
        return (app, resources, sidecar, new SidecarApi(sidecar.BaseAddress));
    }

    private static async Task StopAsync((RecordingApp App, ResourcesFolder Resources, SidecarProcess Sidecar, SidecarApi Api) run)
    {
        run.Api.Dispose();
        await run.Sidecar.DisposeAsync();
        await run.App.DisposeAsync();
        run.Resources.Dispose();
    }

    private static int Received(RecordingApp app, string path, string marker) => app.On(path).Count(r => r.BodyText.Contains(marker, StringComparison.Ordinal));

    [Fact]
    public async Task A_confirmed_durable_message_survives_a_broker_restart_and_delivery_resumes_by_itself()
    {
        if (!TestServers.RabbitMqIsOurs) Assert.Skip("restarts the broker: only done on a broker scripts/servers.sh started, never on a shared one");
        var topic = Topic("durable");
        var gate = new TaskCompletionSource();
        var run = await StartAsync("keeper", $$"""[{"pubsubname":"pubsub","topic":"{{topic}}","route":"/durable"}]""",
            ("durable", "true"), ("deletedWhenUnused", "false"), ("deliveryMode", "2"), ("publisherConfirm", "true"), ("reconnectWaitSeconds", "1"));
        try
        {
            // The first delivery is held by the app until the broker has been restarted, so the message is unacked in a durable queue.
            run.App.RespondAsync("/durable", async (_, _) =>
            {
                await gate.Task.WaitAsync(TimeSpan.FromSeconds(60));
                return (200, null);
            });
            Assert.Equal(HttpStatusCode.NoContent, (await run.Api.PublishAsync("pubsub", topic, """{"m":"before"}""", "application/json")).StatusCode);
            await Eventually.UntilAsync(() => Received(run.App, "/durable", "before") == 1, "the first delivery");

            await Rabbitmqctl.RunAsync("stop_app");
            try
            {
                // With the broker down, a publish cannot be confirmed: the publisher is told, nothing is silently lost.
                var refused = await run.Api.PublishAsync("pubsub", topic, """{"m":"during"}""", "application/json");
                Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
                var error = await SidecarApi.JsonAsync(refused);
                Assert.Equal("ERR_PUBSUB_PUBLISH_MESSAGE", error.GetProperty("errorCode").GetString());
                Assert.Contains("VX2021", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            }
            finally
            {
                await Rabbitmqctl.RunAsync("start_app");
            }
            gate.TrySetResult();

            await Eventually.UntilAsync(() => Received(run.App, "/durable", "before") >= 2, "the unacked message to be delivered again after the restart",
                TimeSpan.FromSeconds(60));
            Assert.Equal(HttpStatusCode.NoContent, (await run.Api.PublishAsync("pubsub", topic, """{"m":"after"}""", "application/json")).StatusCode);
            await Eventually.UntilAsync(() => Received(run.App, "/durable", "after") == 1, "a message published after the restart", TimeSpan.FromSeconds(60));
        }
        finally
        {
            gate.TrySetResult();
            await StopAsync(run);
        }
    }

    [Fact]
    public async Task With_enable_dead_letter_a_failed_message_lands_in_the_dlq_of_its_queue()
    {
        var topic = Topic("failing");
        var run = await StartAsync("dlxer", $$"""[{"pubsubname":"pubsub","topic":"{{topic}}","route":"/failing"}]""", ("enableDeadLetter", "true"));
        try
        {
            run.App.Respond("/failing", (_, _) => (500, null));
            Assert.Equal(HttpStatusCode.NoContent, (await run.Api.PublishAsync("pubsub", topic, """{"m":"doomed"}""", "application/json")).StatusCode);

            var factory = new ConnectionFactory { Uri = new Uri(TestServers.RabbitMq) };
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            BasicGetResult? dead = null;
            await Eventually.UntilAsync(async () => (dead = await channel.BasicGetAsync($"dlq-dlxer-{topic}", autoAck: true)) is not null,
                $"the failed message in dlq-dlxer-{topic}");
            Assert.Contains("doomed", System.Text.Encoding.UTF8.GetString(dead!.Body.Span), StringComparison.Ordinal);
            Assert.Equal(1, Received(run.App, "/failing", "doomed")); // nacked without requeue: not delivered again
        }
        finally
        {
            await StopAsync(run);
        }
    }

    [Fact]
    public async Task Without_requeue_in_failure_a_failed_message_is_dropped_as_in_daprd()
    {
        var topic = Topic("dropped");
        var run = await StartAsync("dropper", $$"""[{"pubsubname":"pubsub","topic":"{{topic}}","route":"/dropped"}]""");
        try
        {
            run.App.Respond("/dropped", (r, _) => r.BodyText.Contains("sentinel", StringComparison.Ordinal) ? (200, null) : (500, null));
            await run.Api.PublishAsync("pubsub", topic, """{"m":"fails"}""", "application/json");
            await Eventually.UntilAsync(() => Received(run.App, "/dropped", "fails") == 1, "the failing delivery");
            await run.Api.PublishAsync("pubsub", topic, """{"m":"sentinel"}""", "application/json");
            await Eventually.UntilAsync(() => Received(run.App, "/dropped", "sentinel") == 1, "the sentinel");
            Assert.Equal(1, Received(run.App, "/dropped", "fails"));
        }
        finally
        {
            await StopAsync(run);
        }
    }

    [Fact]
    public async Task With_requeue_in_failure_a_failed_message_is_delivered_again_until_it_succeeds()
    {
        var topic = Topic("requeued");
        var run = await StartAsync("requeuer", $$"""[{"pubsubname":"pubsub","topic":"{{topic}}","route":"/requeued"}]""", ("requeueInFailure", "true"));
        try
        {
            run.App.Respond("/requeued", (_, attempt) => attempt < 3 ? (500, null) : (200, null));
            await run.Api.PublishAsync("pubsub", topic, """{"m":"stubborn"}""", "application/json");
            await Eventually.UntilAsync(() => Received(run.App, "/requeued", "stubborn") == 3, "two redeliveries after two failures");
        }
        finally
        {
            await StopAsync(run);
        }
    }

    [Fact]
    public async Task A_bulk_subscription_acks_every_entry_the_app_took_and_dead_letters_only_the_ones_it_refused()
    {
        if (!TestServers.RabbitMqIsOurs) Assert.Skip("reads the queue's counts with rabbitmqctl: only on a broker scripts/servers.sh started");
        var topic = Topic("settled");
        var queue = $"settler-{topic}";
        var run = await StartAsync("settler", $$$"""
            [{"pubsubname":"pubsub","topic":"{{{topic}}}","route":"/settled","bulkSubscribe":{"enabled":true,"maxMessagesCount":100,"maxAwaitDurationMs":50}}]
            """, ("enableDeadLetter", "true"));
        try
        {
            // From n = 1,000 on, every seventh entry is refused: those batches are settled entry by entry.
            run.App.Respond("/settled", (request, _) => (200, """{"statuses":[""" + string.Join(",", BulkEntries(request).Select(e =>
                $$"""{"entryId":"{{e.Id}}","status":"{{(e.N >= 1000 && e.N % 7 == 0 ? "RETRY" : "SUCCESS")}}"}""")) + "]}"));

            // 1,000 events that all succeed: five times the prefetch of two batches, so they only all arrive if batches are acked.
            await PublishInBulkAsync(run.Api, topic, 0, 1000);
            await Eventually.UntilAsync(() => Delivered(run.App).Count == 1000, "all 1,000 events delivered");
            await Eventually.UntilAsync(async () => await QueueCountsAsync(queue) == (0, 0), $"{queue} empty with nothing unacked: every batch acked");

            // 300 more, of which 43 are refused: nacked without requeue, so the broker dead-letters exactly those.
            await PublishInBulkAsync(run.Api, topic, 1000, 300);
            var refused = Enumerable.Range(1000, 300).Count(n => n % 7 == 0);
            await Eventually.UntilAsync(() => Delivered(run.App).Count == 1300, "the 300 events delivered");
            await Eventually.UntilAsync(async () => await QueueCountsAsync(queue) == (0, 0) && await QueueCountsAsync($"dlq-{queue}") == (refused, 0),
                $"{queue} settled and its {refused} refused entries in dlq-{queue}");
            var delivered = Delivered(run.App);
            Assert.Equal(Enumerable.Range(0, 1300), delivered.Order()); // each exactly once: nothing acked twice or handed out again
        }
        finally
        {
            await StopAsync(run);
        }
    }

    private static async Task PublishInBulkAsync(SidecarApi api, string topic, int first, int count)
    {
        foreach (var chunk in Enumerable.Range(first, count).Chunk(100))
        {
            var entries = chunk.Select(n => $$"""{"entryId":"e{{n}}","event":{"n":{{n}}},"contentType":"application/json"}""");
            Assert.Equal(HttpStatusCode.NoContent, (await api.PostJsonAsync($"/v1.0-alpha1/publish/bulk/pubsub/{topic}", "[" + string.Join(",", entries) + "]")).StatusCode);
        }
    }

    private static IEnumerable<(string Id, int N)> BulkEntries(ReceivedRequest request)
    {
        using var document = System.Text.Json.JsonDocument.Parse(request.Body);
        return document.RootElement.GetProperty("entries").EnumerateArray()
            .Select(e => (e.GetProperty("entryId").GetString()!, e.GetProperty("event").GetProperty("data").GetProperty("n").GetInt32())).ToList();
    }

    private static List<int> Delivered(RecordingApp app) => app.On("/settled").SelectMany(BulkEntries).Select(e => e.N).ToList();

    /// <summary>The broker's own count of a queue's ready and unacknowledged messages, in the test vhost.</summary>
    private static async Task<(int Ready, int Unacked)> QueueCountsAsync(string queue)
    {
        var vhost = Uri.UnescapeDataString(new Uri(TestServers.RabbitMq).AbsolutePath.TrimStart('/')) is { Length: > 0 } name ? name : "/";
        var output = await Rabbitmqctl.RunAsync("list_queues", "-p", vhost, "--no-table-headers", "name", "messages_ready", "messages_unacknowledged");
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (line.Split('\t') is [var name2, var ready, var unacked] && name2 == queue)
                return (int.Parse(ready, System.Globalization.CultureInfo.InvariantCulture), int.Parse(unacked, System.Globalization.CultureInfo.InvariantCulture));
        throw new InvalidOperationException($"rabbitmqctl lists no queue {queue} in vhost {vhost}:\n{output}");
    }

    [Fact]
    public async Task An_unreachable_broker_stops_start_up_with_vx2020_naming_the_component_and_address()
    {
        var port = FreePort.Next();
        await UnreachableServer.AssertRefusedAsync($"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: nobroker
            spec:
              type: pubsub.rabbitmq
              version: v1
              metadata:
                - name: connectionString
                  value: "amqp://guest:guest@127.0.0.1:{port}"
            """, port, "VX2020", "nobroker", "/etc/init.d/rabbitmq-server start");
    }
}

/// <summary>
/// A test here stops the shared test broker: the collection runs on its own, after the parallel ones, so no other
/// RabbitMQ suite sees the broker down.
/// </summary>
[CollectionDefinition(nameof(BrokerRestarts), DisableParallelization = true)]
public sealed class BrokerRestarts;
