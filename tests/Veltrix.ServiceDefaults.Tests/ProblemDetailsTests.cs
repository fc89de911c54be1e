using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Veltrix.ServiceDefaults.Tests;

public sealed class ProblemDetailsTests
{
    private const string Secret = "Password=hunter2-do-not-leak";

    private sealed record Order(string Item, int Quantity);

    private static void Map(WebApplication app)
    {
        app.MapPost("/orders", (Order order) => TypedResults.Ok(order));
        app.MapGet("/boom", string () => throw new InvalidOperationException("could not connect: " + Secret));
        app.MapGet("/invalid", () => Problems.Validation("'quantity' must be positive", new Dictionary<string, object?> { ["field"] = "quantity" }));
        app.MapGet("/orders/{id}", (string id) => Problems.NotFound($"order '{id}' does not exist"));
        app.MapGet("/busy", () => Problems.Create(StatusCodes.Status429TooManyRequests, ServiceErrorCodes.Overloaded, "Too many requests", "retry after 1 s"));
        app.MapGet("/unavailable", () => Problems.Overloaded(StatusCodes.Status503ServiceUnavailable, "Try again", "the store refused the write", retryAfterSeconds: 7));
    }

    [Fact]
    public async Task An_overloaded_answer_carries_Retry_After_and_VX3006()
    {
        await using var service = await TestService.StartAsync(Map);

        using var response = await service.Http.GetAsync("/unavailable");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await TestService.ReadProblemAsync(response);
        Assert.Equal("VX3006", problem.GetProperty("code").GetString());
        Assert.Equal("the store refused the write", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Malformed_json_is_400_VX3001_with_the_parser_position()
    {
        await using var service = await TestService.StartAsync(Map);

        using var response = await service.Http.PostAsync("/orders", TestService.Json("{\"item\": \"lamp\", \"quantity\": }"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await TestService.ReadProblemAsync(response);
        Assert.Equal(ServiceErrorCodes.MalformedJson, problem.GetProperty("code").GetString());
        Assert.Equal("https://veltrix.dev/errors/VX3001", problem.GetProperty("type").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("/orders", problem.GetProperty("instance").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("LineNumber", detail);
        Assert.Contains("quantity", detail);
    }

    [Fact]
    public async Task A_body_of_the_wrong_json_shape_is_400_VX3001()
    {
        await using var service = await TestService.StartAsync(Map);

        using var response = await service.Http.PostAsync("/orders", TestService.Json("{\"item\": \"lamp\", \"quantity\": \"many\"}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await TestService.ReadProblemAsync(response);
        Assert.Equal("VX3001", problem.GetProperty("code").GetString());
        Assert.Contains("$.quantity", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Wrong_content_type_is_415_VX3005()
    {
        await using var service = await TestService.StartAsync(Map);

        using var response = await service.Http.PostAsync("/orders", new StringContent("{\"item\":\"lamp\",\"quantity\":1}", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await TestService.ReadProblemAsync(response);
        Assert.Equal(ServiceErrorCodes.UnsupportedMediaType, problem.GetProperty("code").GetString());
        Assert.Contains("text/plain", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unhandled_exception_is_500_VX3000_without_the_exception_text_which_is_logged()
    {
        await using var service = await TestService.StartAsync(Map);

        using var response = await service.Http.GetAsync("/boom");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("InvalidOperationException", text);
        Assert.DoesNotContain("   at ", text);
        var problem = await TestService.ReadProblemAsync(response);
        Assert.Equal(ServiceErrorCodes.Internal, problem.GetProperty("code").GetString());
        var traceId = problem.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        Assert.Contains(service.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains("hunter2"));
    }

    [Fact]
    public async Task An_unknown_route_is_404_VX3007_problem_json()
    {
        await using var service = await TestService.StartAsync(Map);

        using var response = await service.Http.GetAsync("/no/such/thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await TestService.ReadProblemAsync(response);
        Assert.Equal(ServiceErrorCodes.NotFound, problem.GetProperty("code").GetString());
        Assert.Equal("https://veltrix.dev/errors/VX3007", problem.GetProperty("type").GetString());
        Assert.Equal("/no/such/thing", problem.GetProperty("instance").GetString());
        Assert.Contains("/no/such/thing", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_wrong_method_is_405_VX3009_problem_json()
    {
        await using var service = await TestService.StartAsync(Map);

        using var response = await service.Http.DeleteAsync("/orders");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        var problem = await TestService.ReadProblemAsync(response);
        Assert.Equal(ServiceErrorCodes.MethodNotAllowed, problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Problems_Validation_carries_type_code_instance_and_extensions()
    {
        await using var service = await TestService.StartAsync(Map);

        using var response = await service.Http.GetAsync("/invalid");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await TestService.ReadProblemAsync(response);
        Assert.Equal("VX3002", problem.GetProperty("code").GetString());
        Assert.Equal("https://veltrix.dev/errors/VX3002", problem.GetProperty("type").GetString());
        Assert.Equal("'quantity' must be positive", problem.GetProperty("detail").GetString());
        Assert.Equal("/invalid", problem.GetProperty("instance").GetString());
        Assert.Equal("quantity", problem.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task Problems_NotFound_and_Create_keep_their_codes()
    {
        await using var service = await TestService.StartAsync(Map);

        using var notFound = await service.Http.GetAsync("/orders/42");
        using var busy = await service.Http.GetAsync("/busy");

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        var problem = await TestService.ReadProblemAsync(notFound);
        Assert.Equal("VX3007", problem.GetProperty("code").GetString());
        Assert.Equal("order '42' does not exist", problem.GetProperty("detail").GetString());
        Assert.Equal("/orders/42", problem.GetProperty("instance").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
        Assert.Equal("VX3006", (await TestService.ReadProblemAsync(busy)).GetProperty("code").GetString());
    }
}
