using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Dapr.Client;
using Veltrix.Dapr.Tests.Infrastructure;
using Veltrix.Testing;

namespace Veltrix.Dapr.Tests.PubSub;

/// <summary>Publish through the real dev sidecar into a subscriber app built with this library.</summary>
public sealed class PublishSubscribeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Delivery(string Path, Order? Order, CloudEventEnvelope? CloudEvent);

    [Fact]
    public async Task Published_event_reaches_the_attributed_handler_typed_with_its_cloudevent_id()
    {
        var deliveries = new ConcurrentQueue<Delivery>();
        await using var app = await SubscriberApp.StartAsync(web =>
            web.MapPost("/orders", [Topic("pubsub", "orders")] (Order order, HttpContext context) =>
            {
                deliveries.Enqueue(new Delivery("/orders", order, context.GetCloudEvent()));
                return TopicResults.Success();
            }));
        using var resources = ResourcesDirectory.Create();
        await using var sidecar = await SidecarProcess.StartForAppAsync("orders-app", app.Port, [resources.Path]);
        var client = DaprTestClients.For(sidecar);
        await client.WaitForSubscriptionAsync("orders");

        await client.PublishEventAsync("pubsub", "orders", new Order("o-1", 3), PubSubMetadata.WithCloudEventId("evt-o-1"), Ct);
        await client.PublishEventAsync("pubsub", "orders", new Order("o-2", 1), Ct);

        await Eventually.UntilAsync(() => deliveries.Count >= 2, "both orders delivered");
        var first = deliveries.Single(d => d.Order!.OrderId == "o-1");
        Assert.Equal(new Order("o-1", 3), first.Order);
        Assert.Equal("evt-o-1", first.CloudEvent!.Id);
        Assert.Equal("orders", first.CloudEvent.Topic);
        Assert.Equal("pubsub", first.CloudEvent.PubsubName);
        Assert.Equal("orders-app", first.CloudEvent.Source);
        Assert.Equal("com.dapr.event.sent", first.CloudEvent.Type);
        Assert.Equal("application/json", first.CloudEvent.DataContentType);
        var second = deliveries.Single(d => d.Order!.OrderId == "o-2");
        Assert.True(Guid.TryParse(second.CloudEvent!.Id, out _), $"generated id '{second.CloudEvent.Id}' should be a UUID");
    }

    [Fact]
    public async Task Match_rules_route_events_to_their_endpoint_and_the_rest_to_the_default()
    {
        var deliveries = new ConcurrentQueue<Delivery>();
        IResult Record(string path, Order order, HttpContext context)
        {
            deliveries.Enqueue(new Delivery(path, order, context.GetCloudEvent()));
            return TopicResults.Success();
        }
        await using var app = await SubscriberApp.StartAsync(web =>
        {
            web.MapPost("/orders", (Order o, HttpContext c) => Record("/orders", o, c)).WithTopic("pubsub", "routed");
            web.MapPost("/orders/vip", (Order o, HttpContext c) => Record("/orders/vip", o, c))
                .WithTopic("pubsub", "routed", match: "event.type == \"order.vip\"", priority: 1);
            web.MapPost("/orders/late", (Order o, HttpContext c) => Record("/orders/late", o, c))
                .WithTopic("pubsub", "routed", match: "event.type == \"order.late\"", priority: 2);
        });
        using var resources = ResourcesDirectory.Create();
        await using var sidecar = await SidecarProcess.StartForAppAsync("router-app", app.Port, [resources.Path]);
        var client = DaprTestClients.For(sidecar);
        await client.WaitForSubscriptionAsync("routed");

        await client.PublishEventAsync("pubsub", "routed", new Order("vip", 1), new Dictionary<string, string> { [PubSubMetadata.CloudEventType] = "order.vip" }, Ct);
        await client.PublishEventAsync("pubsub", "routed", new Order("late", 1), new Dictionary<string, string> { [PubSubMetadata.CloudEventType] = "order.late" }, Ct);
        await client.PublishEventAsync("pubsub", "routed", new Order("normal", 1), Ct);

        await Eventually.UntilAsync(() => deliveries.Count >= 3, "three routed deliveries");
        var routes = deliveries.ToDictionary(d => d.Order!.OrderId, d => d.Path);
        Assert.Equal("/orders/vip", routes["vip"]);
        Assert.Equal("/orders/late", routes["late"]);
        Assert.Equal("/orders", routes["normal"]);
        Assert.Equal(3, deliveries.Count);
    }

    [Fact]
    public async Task Retry_answers_are_redelivered_per_the_resiliency_policy_with_the_same_cloudevent_id()
    {
        var attempts = new ConcurrentQueue<string>();
        await using var app = await SubscriberApp.StartAsync(web =>
            web.MapPost("/flaky", (Order order, HttpContext context) =>
            {
                attempts.Enqueue(context.GetCloudEvent()!.Id);
                return attempts.Count < 3 ? TopicResults.Retry() : TopicResults.Success();
            }).WithTopic("pubsub", "flaky"));
        using var resources = ResourcesDirectory.Create(ResourcesDirectory.QuickInboundRetries);
        await using var sidecar = await SidecarProcess.StartForAppAsync("flaky-app", app.Port, [resources.Path]);
        var client = DaprTestClients.For(sidecar);
        await client.WaitForSubscriptionAsync("flaky");

        await client.PublishEventAsync("pubsub", "flaky", new Order("o-r", 1), Ct);

        await Eventually.UntilAsync(() => attempts.Count >= 3, "the third attempt");
        Assert.Single(attempts.Distinct());
    }

    [Fact]
    public async Task Exhausted_retries_and_drop_answers_go_to_the_dead_letter_topic()
    {
        var attempts = new ConcurrentDictionary<string, int>();
        var deadLetters = new ConcurrentQueue<Delivery>();
        await using var app = await SubscriberApp.StartAsync(web =>
        {
            web.MapPost("/orders", (Order order, HttpContext context) =>
            {
                attempts.AddOrUpdate(order.OrderId, 1, (_, n) => n + 1);
                return order.OrderId == "poison" ? TopicResults.Drop() : TopicResults.Retry();
            }).WithTopic("pubsub", "dl-orders", deadLetterTopic: "dl-orders-dead");
            web.MapPost("/dead", (Order order, HttpContext context) =>
            {
                deadLetters.Enqueue(new Delivery("/dead", order, context.GetCloudEvent()));
                return TopicResults.Success();
            }).WithTopic("pubsub", "dl-orders-dead");
        });
        using var resources = ResourcesDirectory.Create(ResourcesDirectory.QuickInboundRetries);
        await using var sidecar = await SidecarProcess.StartForAppAsync("dl-app", app.Port, [resources.Path]);
        var client = DaprTestClients.For(sidecar);
        await client.WaitForSubscriptionAsync("dl-orders-dead");

        await client.PublishEventAsync("pubsub", "dl-orders", new Order("poison", 1), PubSubMetadata.WithCloudEventId("evt-poison"), Ct);
        await client.PublishEventAsync("pubsub", "dl-orders", new Order("stuck", 1), PubSubMetadata.WithCloudEventId("evt-stuck"), Ct);

        await Eventually.UntilAsync(() => deadLetters.Count >= 2, "both events dead-lettered");
        var byId = deadLetters.ToDictionary(d => d.CloudEvent!.Id);
        Assert.Equal(new Order("poison", 1), byId["evt-poison"].Order);
        Assert.Equal(new Order("stuck", 1), byId["evt-stuck"].Order);
        Assert.Equal(1, attempts["poison"]); // DROP is never retried
        Assert.Equal(3, attempts["stuck"]);  // one attempt plus maxRetries: 2
    }

    [Fact]
    public async Task Bulk_publish_delivers_every_entry()
    {
        var deliveries = new ConcurrentQueue<Delivery>();
        await using var app = await SubscriberApp.StartAsync(web =>
            web.MapPost("/bulk-in", (Order order, HttpContext context) =>
            {
                deliveries.Enqueue(new Delivery("/bulk-in", order, context.GetCloudEvent()));
                return TopicResults.Success();
            }).WithTopic("pubsub", "bulk-in"));
        using var resources = ResourcesDirectory.Create();
        await using var sidecar = await SidecarProcess.StartForAppAsync("bulk-pub-app", app.Port, [resources.Path]);
        var client = DaprTestClients.For(sidecar);
        await client.WaitForSubscriptionAsync("bulk-in");

        var response = await client.BulkPublishEventAsync("pubsub", "bulk-in", [new Order("b1", 1), new Order("b2", 2), new Order("b3", 3)], cancellationToken: Ct);

        Assert.True(response.AllSucceeded);
        await Eventually.UntilAsync(() => deliveries.Count >= 3, "three bulk-published events delivered");
        Assert.Equal(["b1", "b2", "b3"], deliveries.Select(d => d.Order!.OrderId).Order());
        Assert.Equal(3, deliveries.Select(d => d.CloudEvent!.Id).Distinct().Count());

        var missing = await Assert.ThrowsAsync<DaprApiException>(() => client.BulkPublishEventAsync("no-such-pubsub", "bulk-in", [1], cancellationToken: Ct));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("ERR_PUBSUB_NOT_FOUND", missing.ErrorCode);
    }

    [Fact]
    public async Task Bulk_subscribe_delivers_batches_and_honours_per_entry_statuses()
    {
        var seen = new ConcurrentQueue<BulkSubscribeMessageEntry<Order>>();
        var deadLetters = new ConcurrentQueue<Delivery>();
        await using var app = await SubscriberApp.StartAsync(web =>
        {
            web.MapPost("/batch", (BulkSubscribeMessage<Order> batch) =>
            {
                foreach (var entry in batch.Entries) seen.Enqueue(entry);
                return TopicResults.Bulk(batch.Entries.Select(e => new BulkSubscribeAppResponseEntry(e.EntryId,
                    e.Data?.OrderId == "bad" ? BulkSubscribeAppResponseStatus.DROP : BulkSubscribeAppResponseStatus.SUCCESS)));
            }).WithTopic("pubsub", "batched", deadLetterTopic: "batched-dead").WithBulkSubscribe(maxMessagesCount: 10, maxAwaitDurationMs: 50);
            web.MapPost("/batch-dead", (Order order, HttpContext context) =>
            {
                deadLetters.Enqueue(new Delivery("/batch-dead", order, context.GetCloudEvent()));
                return TopicResults.Success();
            }).WithTopic("pubsub", "batched-dead");
        });
        using var resources = ResourcesDirectory.Create();
        await using var sidecar = await SidecarProcess.StartForAppAsync("bulk-sub-app", app.Port, [resources.Path]);
        var client = DaprTestClients.For(sidecar);
        await client.WaitForSubscriptionAsync("batched-dead");

        await client.BulkPublishEventAsync("pubsub", "batched",
        [
            new BulkPublishEntry<Order>("e1", new Order("good-1", 1)),
            new BulkPublishEntry<Order>("e2", new Order("bad", 2), Metadata: new Dictionary<string, string> { [PubSubMetadata.CloudEventId] = "evt-bad" }),
            new BulkPublishEntry<Order>("e3", new Order("good-2", 3)),
        ], cancellationToken: Ct);

        await Eventually.UntilAsync(() => seen.Count >= 3 && !deadLetters.IsEmpty, "the batch handled and the dropped entry dead-lettered");
        Assert.Equal(["bad", "good-1", "good-2"], seen.Select(e => e.Data!.OrderId).Order());
        Assert.All(seen, e =>
        {
            Assert.Null(e.DataError);
            Assert.NotNull(e.CloudEvent);
            Assert.Equal("batched", e.CloudEvent!.Topic);
            Assert.False(string.IsNullOrEmpty(e.EntryId));
        });
        Assert.Equal("evt-bad", seen.Single(e => e.Data!.OrderId == "bad").CloudEvent!.Id);
        var dead = Assert.Single(deadLetters);
        Assert.Equal(new Order("bad", 2), dead.Order);
        Assert.Equal("evt-bad", dead.CloudEvent!.Id);
    }

    [Fact]
    public async Task Raw_payload_subscription_unwraps_to_the_published_bytes()
    {
        var bodies = new ConcurrentQueue<(byte[] Body, string? ContentType, string? Id)>();
        await using var app = await SubscriberApp.StartAsync(web =>
            web.MapPost("/raw", async (HttpContext context) =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                bodies.Enqueue((buffer.ToArray(), context.Request.ContentType, context.GetCloudEvent()?.Id));
                return TopicResults.Success();
            }).WithTopic("pubsub", "raw-topic", rawPayload: true));
        using var resources = ResourcesDirectory.Create();
        await using var sidecar = await SidecarProcess.StartForAppAsync("raw-app", app.Port, [resources.Path]);
        var client = DaprTestClients.For(sidecar);
        await client.WaitForSubscriptionAsync("raw-topic");
        byte[] payload = [0xCA, 0xFE, 0x00, 0x01];

        await client.PublishByteEventAsync("pubsub", "raw-topic", payload, "application/octet-stream", PubSubMetadata.Raw(), Ct);

        await Eventually.UntilAsync(() => !bodies.IsEmpty, "the raw delivery");
        var (body, contentType, id) = Assert.Single(bodies);
        Assert.Equal(payload, body);
        Assert.Equal("application/octet-stream", contentType);
        Assert.False(string.IsNullOrEmpty(id));
    }
}
