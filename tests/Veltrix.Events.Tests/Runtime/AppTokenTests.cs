using System.Net;
using System.Text;
using Dapr.AspNetCore;
using Veltrix.Events.Subscribing;

namespace Veltrix.Events.Tests.Runtime;

/// <summary>
/// The app side of APP_API_TOKEN with the SDK's Dapr authentication: every route the configuration subscribes (deliveries,
/// dead-letter parking, the change event) and /dapr/subscribe refuse calls without the sidecar's token — before the
/// handler runs or the body is read — and other endpoints stay open. Without a configured token nothing is checked.
/// </summary>
public sealed class AppTokenTests
{
    private const string Token = "app-secret";
    private const string Yaml = """
        apiVersion: veltrix.io/v1alpha1
        kind: EventConfiguration
        metadata:
          name: orders
        spec:
          events:
            - type: order.placed
              schema: {orderId: string}
              pubsub: bus
              topic: orders
              producers: [shop]
              consumers:
                - app: warehouse
                  route: /events/orders
              deadLetter: {topic: orders.dead, owner: warehouse}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private int _handled;

    private Task<ConsumerApp> StartAsync(string token) => ConsumerApp.StartAsync("warehouse", Yaml, events => events
        .Handle<Order>("order.placed", (IReadOnlyList<IncomingEvent<Order>> batch) =>
        {
            Interlocked.Add(ref _handled, batch.Count);
            return batch.Select(_ => BulkSubscribeAppResponseStatus.SUCCESS).ToArray();
        }), new Dictionary<string, string?> { ["APP_API_TOKEN"] = token });

    private static async Task<HttpStatusCode> CallAsync(ConsumerApp app, HttpMethod method, string path, string? token, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
            request.Content = new StringContent(body ?? ConsumerApp.CloudEvent("o1", "order.placed", """{"orderId":"o"}"""), Encoding.UTF8, "application/cloudevents+json");
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        using var response = await app.Http.SendAsync(request, Ct);
        return response.StatusCode;
    }

    [Theory]
    [InlineData("/events/orders")]
    [InlineData("/veltrix/dead-letters/order.placed")]
    [InlineData("/veltrix/configuration-activated")]
    public async Task Routes_the_configuration_subscribes_need_the_app_token(string path)
    {
        await using var app = await StartAsync(Token);

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(app, HttpMethod.Post, path, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(app, HttpMethod.Post, path, "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(app, HttpMethod.Post, path, Token + "x"));
        Assert.Equal(0, Volatile.Read(ref _handled));
        // Refused before the body is read: a body that is not even JSON still gets 401, not 400.
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(app, HttpMethod.Post, path, null, body: "{ not json"));
        // With the token the call gets through to its handler (parking then fails on the absent sidecar: 500, not 401).
        Assert.NotEqual(HttpStatusCode.Unauthorized, await CallAsync(app, HttpMethod.Post, path, Token));
        if (path == "/events/orders") Assert.Equal(1, Volatile.Read(ref _handled));
    }

    [Fact]
    public async Task The_subscribe_document_needs_the_app_token_and_health_and_metrics_do_not()
    {
        await using var app = await StartAsync(Token);

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(app, HttpMethod.Get, "/dapr/subscribe", null));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(app, HttpMethod.Get, "/dapr/subscribe", Token));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(app, HttpMethod.Get, "/healthz", null));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(app, HttpMethod.Get, "/metrics", null));
    }

    [Fact]
    public async Task Without_a_configured_token_nothing_is_checked()
    {
        await using var app = await StartAsync("");

        Assert.Equal(HttpStatusCode.OK, await CallAsync(app, HttpMethod.Post, "/events/orders", null));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(app, HttpMethod.Get, "/dapr/subscribe", null));
        Assert.Equal(1, Volatile.Read(ref _handled));
    }
}

public sealed record Order(string OrderId);
