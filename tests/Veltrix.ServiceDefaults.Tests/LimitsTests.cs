using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Veltrix.ServiceDefaults.Tests;

public sealed class LimitsTests
{
    private static readonly Dictionary<string, string?> SmallLimit = new() { ["Veltrix:MaxRequestBodyBytes"] = "1024" };

    private static void Map(WebApplication app)
    {
        app.MapPost("/items", (List<string> items) => TypedResults.Ok(items.Count));
        app.MapPost("/raw", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            return TypedResults.Ok(buffer.Length);
        });
    }

    private static string ItemsJson(int count) => "[" + string.Join(',', Enumerable.Repeat("\"0123456789\"", count)) + "]";

    [Fact]
    public async Task A_body_over_the_configured_limit_is_413_VX3004()
    {
        await using var service = await TestService.StartAsync(Map, settings: SmallLimit);

        using var small = await service.Http.PostAsync("/items", TestService.Json(ItemsJson(10)));
        using var large = await service.Http.PostAsync("/items", TestService.Json(ItemsJson(200)));

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        var problem = await TestService.ReadProblemAsync(large);
        Assert.Equal(ServiceErrorCodes.PayloadTooLarge, problem.GetProperty("code").GetString());
        Assert.Contains("1024", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_413_VX3004_too()
    {
        await using var service = await TestService.StartAsync(Map, settings: SmallLimit);
        var bytes = System.Text.Encoding.UTF8.GetBytes(ItemsJson(200));
        // No Content-Length: Kestrel finds out while reading, and the handler's read fails.
        using var content = new StreamContent(new NonSeekableStream(bytes));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await service.Http.PostAsync("/raw", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("VX3004", (await TestService.ReadProblemAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_default_limit_is_one_MiB()
    {
        await using var service = await TestService.StartAsync(Map);

        // Expect: 100-continue, as real clients send large bodies: the service refuses before the body is on the wire,
        // instead of the client finding a closed connection halfway through writing it.
        async Task<HttpResponseMessage> PostAsync(int items)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/items") { Content = TestService.Json(ItemsJson(items)) };
            request.Headers.ExpectContinue = true;
            return await service.Http.SendAsync(request);
        }
        using var under = await PostAsync(80_000);   // 1,040,001 bytes < 1 MiB
        using var over = await PostAsync(90_000);    // 1,170,001 bytes > 1 MiB

        Assert.Equal(HttpStatusCode.OK, under.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public async Task A_non_positive_limit_refuses_start_up_naming_the_setting(string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestService.StartAsync(Map, settings: new Dictionary<string, string?> { ["Veltrix:MaxRequestBodyBytes"] = value }));

        Assert.Contains("Veltrix:MaxRequestBodyBytes", error.Message);
    }

    [Fact]
    public async Task Oversized_headers_are_refused_by_Kestrel()
    {
        await using var service = await TestService.StartAsync(Map);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("X-Padding", new string('a', 20 * 1024));

        using var response = await service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    /// <summary>Makes HttpClient send chunked: it cannot know the length up front.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
