using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Veltrix.ServiceDefaults.Security;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>
/// What the service defaults answer hostile requests with, on real Kestrel: never a 5xx, always a VX code — text that is
/// not text, an oversized URL or header block, a CloudEvent sent to a public endpoint, a delivery without the app token,
/// and ids that no state key or URL can carry.
/// </summary>
public sealed class HostileRequestTests
{
    private const string AppToken = "app-token-for-hostile-tests";

    private sealed record Order(string Item, int Quantity);

    private static void Map(WebApplication app)
    {
        app.MapPost("/orders", (Order order) => TypedResults.Ok(order));
        // Reads the body as a document, as the gateway does: GetString() is where a lone surrogate surfaces.
        app.MapPost("/documents", async (HttpRequest request) =>
        {
            using var document = await JsonDocument.ParseAsync(request.Body);
            return TypedResults.Ok(document.RootElement.GetProperty("name").GetString());
        });
        app.MapGet("/players/{playerId}", (string playerId) => Ids.Check("playerId", playerId) ?? TypedResults.Ok(playerId));
        app.MapPost("/deliveries", (Order order) => Results.Json(new { status = "SUCCESS" })).WithTopic("pubsub", "orders").RequireDaprAppToken(app.Services);
    }

    private static Task<TestService> StartAsync() =>
        TestService.StartAsync(Map, settings: new Dictionary<string, string?> { ["APP_API_TOKEN"] = AppToken });

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await TestService.ReadProblemAsync(response)).GetProperty("code").GetString();

    [Theory]
    [InlineData("/orders", """{"item":"x\ud800","quantity":1}""")]
    [InlineData("/documents", """{"name":"\udfff"}""")]
    [InlineData("/documents", """{"name":"a\u0000b\ud83d"}""")]
    public async Task A_lone_surrogate_in_a_json_string_is_400_VX3001_not_500(string path, string body)
    {
        await using var service = await StartAsync();
        using var response = await service.Http.PostAsync(path, TestService.Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("VX3001", await CodeAsync(response));
    }

    [Fact]
    public async Task A_cloudevent_sent_to_a_public_endpoint_is_not_unwrapped_but_refused_415_VX3005()
    {
        await using var service = await StartAsync();
        var envelope = """{"specversion":"1.0","id":"1","source":"s","type":"t","data":{"item":"lamp","quantity":2}}""";
        using var response = await service.Http.PostAsync("/orders", new StringContent(envelope, new MediaTypeHeaderValue("application/cloudevents+json")));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("VX3005", await CodeAsync(response));
    }

    [Fact]
    public async Task A_delivery_is_still_unwrapped_for_its_topic_endpoint()
    {
        await using var service = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/deliveries")
        {
            Content = new StringContent("""{"specversion":"1.0","id":"1","source":"s","type":"t","data":{"item":"lamp","quantity":2}}""",
                new MediaTypeHeaderValue("application/cloudevents+json")),
        };
        request.Headers.Add("dapr-api-token", AppToken);
        using var response = await service.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_delivery_without_the_app_token_is_401_VX3008_whatever_its_body()
    {
        await using var service = await StartAsync();
        using var response = await service.Http.PostAsync("/deliveries", new StringContent("{not json", new MediaTypeHeaderValue("application/cloudevents+json")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("VX3008", await CodeAsync(response));
    }

    [Fact]
    public async Task An_oversized_url_is_414_VX3011_and_an_oversized_header_block_431_VX3011()
    {
        await using var service = await StartAsync();
        using var longUrl = await service.Http.GetAsync("/players/" + new string('a', 9000));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, longUrl.StatusCode);
        Assert.Equal("VX3011", await CodeAsync(longUrl));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/players/ok");
        for (var i = 0; i < 4; i++) request.Headers.Add($"X-Big-{i}", new string('b', 5000));
        using var bigHeaders = await service.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, bigHeaders.StatusCode);
        Assert.Equal("VX3011", await CodeAsync(bigHeaders));

        using var many = new HttpRequestMessage(HttpMethod.Get, "/players/ok");
        for (var i = 0; i < 80; i++) many.Headers.Add($"X-H-{i}", "v");
        using var manyHeaders = await service.Http.SendAsync(many);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, manyHeaders.StatusCode);
    }

    [Theory]
    [InlineData("a%7C%7Cb", "'|'")]
    [InlineData("a%01b", "U+0001")]
    [InlineData("a%2Fb", "'%'")] // Kestrel leaves %2F escaped in the path
    [InlineData("x%ED%A0%80", "'%'")] // and bytes that are not UTF-8
    [InlineData("50%25", "'%'")]
    [InlineData("%20x", "white space")]
    public async Task An_id_no_key_or_url_can_carry_is_400_VX3010_naming_the_field(string segment, string named)
    {
        await using var service = await StartAsync();
        using var response = await service.Http.GetAsync("/players/" + segment);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await TestService.ReadProblemAsync(response);
        Assert.Equal("VX3010", problem.GetProperty("code").GetString());
        Assert.Equal("playerId", problem.GetProperty("field").GetString());
        Assert.Contains(named, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("player-1")]
    [InlineData("ada.lovelace@example")]
    [InlineData("Zoë 😀")]
    public async Task Ordinary_ids_pass(string id)
    {
        await using var service = await StartAsync();
        using var response = await service.Http.GetAsync("/players/" + Uri.EscapeDataString(id));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(id, JsonSerializer.Deserialize<string>(await response.Content.ReadAsStringAsync()));
    }
}
