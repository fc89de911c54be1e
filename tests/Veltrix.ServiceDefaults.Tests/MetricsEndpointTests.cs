using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Veltrix.ServiceDefaults.Telemetry;
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
    public async Task Event_counters_runtime_and_the_service_name_are_exported_under_their_prometheus_names()
    {
        await using var service = await TestService.StartAsync(Map, settings: new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = "scoring" });
        var events = service.App.Services.GetRequiredService<EventMetrics>();
        events.Published("bus", "points.awarded", 3);
        events.PublishFailed("bus", "points.awarded", 1);
        events.Delivered("bus", "puzzle.solved", 2);

        var text = await service.ScrapeAsync();
        var samples = PrometheusText.Parse(text);

        // The names the benchmarks, dashboards and docs read: dots to underscores, counters end in _total, {event} adds nothing.
        Assert.Equal(3, PrometheusText.Value(samples, "veltrix_events_published_total", ("pubsub", "bus"), ("topic", "points.awarded"), ("otel_scope_name", EventMetrics.MeterName)));
        Assert.Equal(1, PrometheusText.Value(samples, "veltrix_events_publish_failed_total", ("topic", "points.awarded")));
        Assert.Equal(2, PrometheusText.Value(samples, "veltrix_events_delivered_total", ("topic", "puzzle.solved")));
        Assert.Contains("# TYPE veltrix_events_published_total counter\n", text);
        // The runtime instrumentation, and the resource: service.name as OTEL_SERVICE_NAME gives it.
        Assert.Contains(samples, s => s.Name == "dotnet_gc_heap_total_allocated_bytes_total");
        Assert.Equal(1, PrometheusText.Value(samples, "target_info", ("service_name", "scoring")));
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
