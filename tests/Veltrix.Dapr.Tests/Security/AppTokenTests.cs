using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Dapr.Tests.Infrastructure;

namespace Veltrix.Dapr.Tests.Security;

/// <summary>The app side of APP_API_TOKEN: calls meant for the sidecar only are refused without its token.</summary>
public sealed class AppTokenTests
{
    private const string Token = "app-secret";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<SubscriberApp> StartAppAsync(string token) => SubscriberApp.StartAsync(web =>
    {
        web.MapPost("/attribute", [Topic("pubsub", "a")] (Order order) => TopicResults.Success());
        web.MapPost("/fluent", (Order order) => TopicResults.Success()).WithTopic("pubsub", "b");
        web.MapPost("/request-delegate", (HttpContext context) => context.Response.WriteAsync("handled")).WithTopic("pubsub", "c");
        web.MapPost("/internal", () => Results.Ok("ok")).RequireDaprAppToken();
        web.MapGet("/public", () => "public");
    }, appToken: token);

    private static async Task<HttpStatusCode> CallAsync(SubscriberApp app, HttpMethod method, string path, string? token)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
            request.Content = new StringContent("""{"specversion":"1.0","id":"1","source":"s","type":"t","data":{"orderId":"o","quantity":1}}""",
                Encoding.UTF8, "application/cloudevents+json");
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }

    [Theory]
    [InlineData("/attribute")]
    [InlineData("/fluent")]
    [InlineData("/request-delegate")]
    [InlineData("/internal")]
    public async Task Sidecar_only_endpoints_need_the_app_token(string path)
    {
        await using var app = await StartAppAsync(Token);

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(app, HttpMethod.Post, path, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(app, HttpMethod.Post, path, "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(app, HttpMethod.Post, path, Token + "x"));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(app, HttpMethod.Post, path, Token));
    }

    [Fact]
    public async Task Subscribe_document_needs_the_app_token_and_other_endpoints_do_not()
    {
        await using var app = await StartAppAsync(Token);

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(app, HttpMethod.Get, "/dapr/subscribe", null));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(app, HttpMethod.Get, "/dapr/subscribe", Token));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(app, HttpMethod.Get, "/public", null));
    }

    [Fact]
    public async Task Without_a_configured_token_nothing_is_checked()
    {
        await using var app = await StartAppAsync("");

        Assert.Equal(HttpStatusCode.OK, await CallAsync(app, HttpMethod.Post, "/attribute", null));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(app, HttpMethod.Post, "/fluent", null));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(app, HttpMethod.Get, "/dapr/subscribe", null));
    }
}
