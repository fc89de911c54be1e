using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Veltrix.Events.Publishing;
using Veltrix.Events.Subscribing;
using Veltrix.Testing;

namespace Veltrix.Events.Tests.Runtime;

/// <summary>
/// Dead letters an operator can act on, through the real dev sidecar and the `veltrix deadletters` CLI: a consumer
/// drops events (a bug), the sidecar sends them to the dead-letter topic with the cause, their owner parks them with
/// the configuration version; after the fix they are replayed with their event ids and processed exactly once, a second
/// replay changes nothing, a forced one is recognised by id, and purging removes them. On in-memory pub/sub with
/// SQLite state and on RabbitMQ with PostgreSQL.
/// </summary>
public sealed class DeadLetterReplayTests
{
    private const string Token = "operator-token-for-dead-letter-tests";

    public static TheoryData<string> Backends => ["in-memory+sqlite", "rabbitmq+postgresql"];

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Dropped_events_are_parked_with_their_cause_listed_replayed_once_after_the_fix_and_purged(string backend)
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var topic = $"orders-{run}";
        using var resources = backend == "in-memory+sqlite"
            ? new ResourcesFolder(Yaml.InMemoryPubSub("bus"), Yaml.SqliteState("statestore", Path.Combine(Path.GetTempPath(), $"deadletters-{run}.db")))
            : new ResourcesFolder(Yaml.RabbitMqPubSub("bus"), Yaml.PostgresState("statestore", $"dl{run}_"));
        var yaml = $$"""
            apiVersion: veltrix.io/v1alpha1
            kind: EventConfiguration
            metadata:
              name: shop
            spec:
              events:
                - type: order.placed
                  schema: {orderId: string, amount: integer}
                  pubsub: bus
                  topic: {{topic}}
                  producers: [warehouse]
                  consumers:
                    - app: warehouse
                      route: /events/orders
                  deadLetter: {topic: {{topic}}.dead, owner: warehouse}
            """;

        var fixedConsumer = false;
        var processed = new ConcurrentDictionary<string, int>(StringComparer.Ordinal); // event id → times the consumer saw it after the fix
        var appPort = FreePort.Next();
        await using var sidecar = await SidecarProcess.StartForAppAsync("warehouse", appPort, [resources.Path], waitForApp: false);
        await using var app = await ConsumerApp.StartAsync("warehouse", yaml, events => events
            .Handle<JsonElement>("order.placed", (IReadOnlyList<IncomingEvent<JsonElement>> batch) => batch.Select(e =>
            {
                if (!Volatile.Read(ref fixedConsumer)) return BulkSubscribeAppResponseStatus.DROP; // the bug
                processed.AddOrUpdate(e.Id, 1, (_, n) => n + 1);
                return BulkSubscribeAppResponseStatus.SUCCESS;
            }).ToArray()),
            new Dictionary<string, string?>
            {
                ["DAPR_HTTP_ENDPOINT"] = sidecar.BaseAddress.ToString(),
                ["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcAddress.ToString(),
                ["VELTRIX_OPERATOR_TOKEN"] = Token,
            }, port: appPort);
        await sidecar.WaitUntilHealthyAsync();
        var owner = app.Http.BaseAddress!.ToString();

        var publisher = app.App.Services.GetRequiredService<EventPublisher>();
        var orders = Enumerable.Range(1, 3).Select(i => new OutgoingEvent<JsonElement>($"order-{i}", JsonDocument.Parse($$"""{"orderId":"o{{i}}","amount":{{i * 10}}}""").RootElement)).ToList();
        Assert.Empty(await publisher.PublishAsync("order.placed", orders, SidecarTestJson.Default.RoutedEventJsonElement, TestContext.Current.CancellationToken));

        // Parked by their owner: listed with the cause the sidecar gave and the version they were routed under.
        JsonElement page = default;
        await Eventually.UntilAsync(async () =>
        {
            page = await GetAsync(app, "/veltrix/dead-letters/order.placed");
            return page.GetProperty("parked").GetInt32() == 3;
        }, "the owner to park the 3 dropped orders", TimeSpan.FromSeconds(30));
        foreach (var item in page.GetProperty("items").EnumerateArray())
        {
            Assert.Equal(("shop", 1, 0), (item.GetProperty("configuration").GetString(), item.GetProperty("version").GetInt32(), item.GetProperty("replays").GetInt32()));
            Assert.Contains("DROP", item.GetProperty("cause").GetString(), StringComparison.Ordinal);
        }
        var listed = await VeltrixAsync("deadletters", "list", "order.placed", "--owner", owner, "--token", Token);
        Assert.Equal(0, listed.Exit);
        Assert.Contains("order.placed: 3 parked", listed.Output, StringComparison.Ordinal);
        Assert.Contains("order-2", listed.Output, StringComparison.Ordinal);
        Assert.Contains("shop@1", listed.Output, StringComparison.Ordinal);
        var shown = await VeltrixAsync("deadletters", "show", "order.placed", "order-2", "--owner", owner, "--token", Token, "--format", "json");
        Assert.Equal(0, shown.Exit);
        Assert.Equal(20, JsonDocument.Parse(shown.Output).RootElement.GetProperty("data").GetProperty("amount").GetInt32());
        Assert.Empty(processed);

        // The fix, then a replay of all three: each reaches the consumer once, with its original id.
        Volatile.Write(ref fixedConsumer, true);
        var replayed = await VeltrixAsync("deadletters", "replay", "order.placed", "--all", "--owner", owner, "--token", Token);
        Assert.Equal(0, replayed.Exit);
        Assert.Contains("replayed 3 dead letter(s)", replayed.Output, StringComparison.Ordinal);
        await Eventually.UntilAsync(() => processed.Count == 3, "the 3 replayed orders at the consumer", TimeSpan.FromSeconds(30));
        Assert.Equal(["order-1", "order-2", "order-3"], processed.Keys.Order(StringComparer.Ordinal));

        // A second replay changes nothing: each letter is skipped as already replayed.
        var again = await VeltrixAsync("deadletters", "replay", "order.placed", "order-1", "order-2", "--owner", owner, "--token", Token, "--format", "json");
        var againBody = JsonDocument.Parse(again.Output).RootElement;
        Assert.Equal(0, againBody.GetProperty("replayed").GetArrayLength());
        Assert.Equal(2, againBody.GetProperty("skipped").GetArrayLength());
        // Forced, it is sent again with the same id: a consumer that records ids (as every Veltrix consumer does) sees a repeat, not a new order.
        var forced = await VeltrixAsync("deadletters", "replay", "order.placed", "order-1", "--force", "--owner", owner, "--token", Token);
        Assert.Equal(0, forced.Exit);
        await Eventually.UntilAsync(() => processed["order-1"] == 2, "the forced replay at the consumer", TimeSpan.FromSeconds(30));
        Assert.Equal(3, processed.Count);

        // Counted, then purged with a confirmation.
        await Eventually.UntilAsync(async () =>
        {
            var metrics = await MetricsScrape.ReadAsync(app.Http);
            return metrics.Value("veltrix_events_dead_letters_total", ("type", "order.placed")) == 3
                && metrics.Value("veltrix_events_dead_letters_replayed_total", ("type", "order.placed")) == 4;
        }, "3 parked and 4 replayed in the owner's metrics");
        var unconfirmed = await VeltrixAsync("deadletters", "purge", "order.placed", "--all", "--owner", owner, "--token", Token);
        Assert.Equal(1, unconfirmed.Exit);
        Assert.Contains("--yes", unconfirmed.Error, StringComparison.Ordinal);
        var purged = await VeltrixAsync("deadletters", "purge", "order.placed", "--all", "--yes", "--owner", owner, "--token", Token);
        Assert.Equal(0, purged.Exit);
        Assert.Contains("purged 3 dead letter(s)", purged.Output, StringComparison.Ordinal);
        Assert.Equal(0, (await GetAsync(app, "/veltrix/dead-letters/order.placed")).GetProperty("parked").GetInt32());

        // Operator endpoints: no token, no answer; an unowned type names what the app owns.
        using var anonymous = new HttpClient { BaseAddress = app.Http.BaseAddress };
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/veltrix/dead-letters")).StatusCode);
        var notOwned = await VeltrixAsync("deadletters", "list", "answer.submitted", "--owner", owner, "--token", Token);
        Assert.Equal(1, notOwned.Exit);
        Assert.Contains("error[VX5060]", notOwned.Error, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> GetAsync(ConsumerApp app, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        using var response = await app.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<(int Exit, string Output, string Error)> VeltrixAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Veltrix.Cli.VeltrixCommandLine.RunAsync(args, new Veltrix.Cli.Commands.CliContext(output, error));
        return (exit, output.ToString(), error.ToString());
    }
}
