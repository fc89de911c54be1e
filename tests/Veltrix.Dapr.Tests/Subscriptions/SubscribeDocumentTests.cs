using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Dapr.Tests.Infrastructure;

namespace Veltrix.Dapr.Tests.Subscriptions;

/// <summary>The <c>/dapr/subscribe</c> answer generated from endpoint metadata, fetched from a real Kestrel app.</summary>
public sealed class SubscribeDocumentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Endpoints_become_one_subscription_per_topic_with_rules_by_priority_and_a_default()
    {
        await using var app = await SubscriberApp.StartAsync(web =>
        {
            web.MapPost("/orders", [Topic("pubsub", "orders", DeadLetterTopic = "orders-dlq")] (Order order) => TopicResults.Success());
            web.MapPost("/orders/late", (Order order) => TopicResults.Success())
                .WithTopic("pubsub", "orders", match: "event.type == \"late\"", priority: 2);
            web.MapPost("/orders/vip", (Order order) => TopicResults.Success())
                .WithTopic("pubsub", "orders", match: "event.type == \"vip\"", priority: 1);
            web.MapPost("/raw", [TopicMetadata("queueName", "raw-q")] (HttpRequest request) => TopicResults.Success())
                .WithTopic("rabbit", "raw", rawPayload: true, metadata: new Dictionary<string, string> { ["maxPriority"] = "5" });
            web.MapPost("/batch", [BulkSubscribe(10, 50)] (BulkSubscribeMessage<Order> batch) => TopicResults.Bulk([]))
                .WithTopic("pubsub", "batch");
            web.MapPost("/plain", () => Results.Ok());
        });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync("/dapr/subscribe", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var subscriptions = document.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("topic").GetString()!);

        Assert.Equal(3, subscriptions.Count);
        var orders = subscriptions["orders"];
        Assert.Equal("pubsub", orders.GetProperty("pubsubname").GetString());
        Assert.Equal("/orders", orders.GetProperty("routes").GetProperty("default").GetString());
        var rules = orders.GetProperty("routes").GetProperty("rules").EnumerateArray()
            .Select(r => (r.GetProperty("match").GetString(), r.GetProperty("path").GetString())).ToList();
        Assert.Equal([("event.type == \"vip\"", "/orders/vip"), ("event.type == \"late\"", "/orders/late")], rules);
        Assert.Equal("orders-dlq", orders.GetProperty("deadLetterTopic").GetString());
        Assert.False(orders.TryGetProperty("metadata", out _));
        Assert.False(orders.TryGetProperty("bulkSubscribe", out _));

        var raw = subscriptions["raw"];
        Assert.Equal("rabbit", raw.GetProperty("pubsubname").GetString());
        Assert.Equal("true", raw.GetProperty("metadata").GetProperty("rawPayload").GetString());
        Assert.Equal("raw-q", raw.GetProperty("metadata").GetProperty("queueName").GetString());
        Assert.Equal("5", raw.GetProperty("metadata").GetProperty("maxPriority").GetString());

        var bulk = subscriptions["batch"].GetProperty("bulkSubscribe");
        Assert.True(bulk.GetProperty("enabled").GetBoolean());
        Assert.Equal(10, bulk.GetProperty("maxMessagesCount").GetInt32());
        Assert.Equal(50, bulk.GetProperty("maxAwaitDurationMs").GetInt32());
    }

    [Fact]
    public async Task Endpoints_in_route_groups_and_several_topics_on_one_handler_are_found()
    {
        await using var app = await SubscriberApp.StartAsync(web =>
        {
            var events = web.MapGroup("/events");
            events.MapPost("/any", [Topic("pubsub", "a")][Topic("pubsub", "b")] (Order order) => TopicResults.Success());
        });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var document = await http.GetFromJsonAsync<JsonElement>("/dapr/subscribe", Ct);

        var routes = document.EnumerateArray().Select(s => (s.GetProperty("topic").GetString(), s.GetProperty("routes").GetProperty("default").GetString()));
        Assert.Equal([("a", "/events/any"), ("b", "/events/any")], routes);
    }

    [Fact]
    public async Task Two_default_routes_for_one_topic_refuse_start_up()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SubscriberApp.StartAsync(web =>
        {
            web.MapPost("/first", [Topic("pubsub", "orders")] (Order order) => TopicResults.Success());
            web.MapPost("/second", (Order order) => TopicResults.Success()).WithTopic("pubsub", "orders");
        }));

        Assert.Contains("Two default routes for pub/sub 'pubsub' topic 'orders': '/first' and '/second'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conflicting_dead_letter_topics_refuse_start_up()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SubscriberApp.StartAsync(web =>
        {
            web.MapPost("/a", (Order order) => TopicResults.Success()).WithTopic("pubsub", "orders", deadLetterTopic: "dlq-1");
            web.MapPost("/b", (Order order) => TopicResults.Success()).WithTopic("pubsub", "orders", deadLetterTopic: "dlq-2", match: "event.type == \"b\"");
        }));

        Assert.Contains("Conflicting dead-letter topics for pub/sub 'pubsub' topic 'orders': 'dlq-1', 'dlq-2'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_topic_route_with_parameters_or_without_post_refuses_start_up()
    {
        var parameters = await Assert.ThrowsAsync<InvalidOperationException>(() => SubscriberApp.StartAsync(web =>
            web.MapPost("/orders/{id}", (string id) => TopicResults.Success()).WithTopic("pubsub", "orders")));
        Assert.Contains("has parameters", parameters.Message, StringComparison.Ordinal);

        var get = await Assert.ThrowsAsync<InvalidOperationException>(() => SubscriberApp.StartAsync(web =>
            web.MapGet("/orders", () => TopicResults.Success()).WithTopic("pubsub", "orders")));
        Assert.Contains("does not accept POST", get.Message, StringComparison.Ordinal);
    }
}
