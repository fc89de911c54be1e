using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Veltrix.Testing;

namespace Veltrix.ServiceDefaults.Tests;

public sealed class MetricsEndpointTests
{
    private static void Map(WebApplication app) => app.MapGet("/hello/{name}", (string name) => TypedResults.Ok("hello " + name));

    [Fact]
    public async Task Metrics_is_prometheus_text_0_0_4()
    {
        await using var service = await TestService.StartAsync(Map);

        using var response = await service.Http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Request_durations_appear_as_a_histogram_per_route_method_and_status()
    {
        await using var service = await TestService.StartAsync(Map);
        for (var i = 0; i < 3; i++) (await service.Http.GetAsync($"/hello/p{i}")).EnsureSuccessStatusCode();

        IReadOnlyList<Sample> samples = [];
        await Eventually.UntilAsync(async () =>
        {
            samples = PrometheusText.Parse(await service.ScrapeAsync());
            return PrometheusText.Value(samples, "http_server_request_duration_seconds_count", ("http_route", "/hello/{name}")) == 3;
        }, "three requests to /hello/{name} counted");

        var route = ("http_route", "/hello/{name}");
        var buckets = samples.Where(s => s.Name == "http_server_request_duration_seconds_bucket" && s.Labels.GetValueOrDefault("http_route") == "/hello/{name}").ToList();
        Assert.NotEmpty(buckets);
        Assert.All(buckets, b =>
        {
            Assert.Equal("GET", b.Labels["http_request_method"]);
            Assert.Equal("200", b.Labels["http_response_status_code"]);
        });
        Assert.Equal(3, buckets.Single(b => b.Labels["le"] == "+Inf").Value);
        // Cumulative: never decreasing with le.
        var ordered = buckets.Select(b => b.Value).ToList();
        Assert.Equal(ordered.Order(), ordered);
        Assert.True(PrometheusText.Value(samples, "http_server_request_duration_seconds_sum", route) > 0);
    }

    [Fact]
    public async Task Every_line_is_well_formed_with_help_and_type_once_per_family()
    {
        await using var service = await TestService.StartAsync(Map);
        (await service.Http.GetAsync("/hello/a")).EnsureSuccessStatusCode();
        await service.Http.GetAsync("/no/such/route");
        await service.Http.GetAsync("/metrics");

        var text = await service.ScrapeAsync();
        var samples = PrometheusText.Parse(text);

        Assert.Contains("# TYPE http_server_request_duration_seconds histogram\n", text);
        Assert.Contains(samples, s => s.Name == "http_server_request_duration_seconds_bucket" && s.Labels.GetValueOrDefault("http_response_status_code") == "404");
        Assert.Contains(samples, s => s.Name.StartsWith("kestrel_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_services_in_one_process_report_only_their_own_requests()
    {
        await using var first = await TestService.StartAsync(Map);
        await using var second = await TestService.StartAsync(Map);
        for (var i = 0; i < 2; i++) (await first.Http.GetAsync("/hello/x")).EnsureSuccessStatusCode();

        await Eventually.UntilAsync(async () =>
            PrometheusText.Value(PrometheusText.Parse(await first.ScrapeAsync()), "http_server_request_duration_seconds_count", ("http_route", "/hello/{name}")) == 2,
            "two requests counted by the first service");
        Assert.Null(PrometheusText.Value(PrometheusText.Parse(await second.ScrapeAsync()), "http_server_request_duration_seconds_count", ("http_route", "/hello/{name}")));
    }
}
