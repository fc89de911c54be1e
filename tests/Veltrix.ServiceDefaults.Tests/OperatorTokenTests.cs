using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>Operator endpoints: closed without a configured token or with a weak one, 401 without a bearer token, 403 with a wrong one.</summary>
public sealed class OperatorTokenTests
{
    private static Action<WebApplication> Map => app => app.MapGet("/operator/thing", () => "secret").RequireOperatorToken();

    private static async Task<HttpResponseMessage> GetAsync(TestService service, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/operator/thing");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await service.Http.SendAsync(request);
    }

    [Fact]
    public async Task Only_the_configured_bearer_token_opens_an_operator_endpoint()
    {
        await using var service = await TestService.StartAsync(Map, settings: new Dictionary<string, string?> { [OperatorTokenExtensions.TokenVariable] = "s3cret-0123456789abcdef" });
        var missing = await GetAsync(service, null);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("VX3008", (await TestService.ReadProblemAsync(missing)).GetProperty("code").GetString());
        var wrong = await GetAsync(service, "guess");
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("VX3008", (await TestService.ReadProblemAsync(wrong)).GetProperty("code").GetString());
        var right = await GetAsync(service, "s3cret-0123456789abcdef");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal("secret", await right.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_configured_token_shorter_than_16_characters_keeps_operator_endpoints_closed_even_to_itself()
    {
        await using var service = await TestService.StartAsync(Map, settings: new Dictionary<string, string?> { [OperatorTokenExtensions.TokenVariable] = "s3cret" });
        var response = await GetAsync(service, "s3cret");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await TestService.ReadProblemAsync(response);
        Assert.Equal("VX3012", problem.GetProperty("code").GetString());
        Assert.Contains("16", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private sealed record Thing(string Name);

    [Theory]
    [InlineData("{not json", "application/json")]
    [InlineData("", "application/json")]
    [InlineData("[1,2]", "application/json")]
    public async Task A_caller_without_the_token_gets_401_before_its_body_is_read(string body, string contentType)
    {
        // (A media type the endpoint does not accept is refused by routing, 415, before any endpoint or body is involved.)
        await using var service = await TestService.StartAsync(app => app.MapPost("/operator/things", (Thing thing) => thing.Name).RequireOperatorToken(),
            settings: new Dictionary<string, string?> { [OperatorTokenExtensions.TokenVariable] = "s3cret-0123456789abcdef" });
        using var response = await service.Http.PostAsync("/operator/things", new StringContent(body, new MediaTypeHeaderValue(contentType)));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("VX3008", (await TestService.ReadProblemAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Without_a_configured_token_operator_endpoints_stay_closed_and_say_why()
    {
        await using var service = await TestService.StartAsync(Map, settings: new Dictionary<string, string?> { [OperatorTokenExtensions.TokenVariable] = "" });
        var response = await GetAsync(service, "");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("VELTRIX_OPERATOR_TOKEN", (await TestService.ReadProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
