using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Veltrix.Testing;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> switches OTLP export on for all three signals, with the standard settings (here
/// OTLP/HTTP and short export intervals), as the Aspire dashboard or a collector receives them.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task With_the_otlp_endpoint_set_traces_metrics_and_logs_reach_the_collector()
    {
        await using var collector = await FakeCollector.StartAsync();
        await using var service = await TestService.StartAsync(
            app => app.MapGet("/hello", (ILogger<OtlpExportTests> logger) =>
            {
                logger.LogInformation("hello from the service");
                return "hello";
            }),
            settings: new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
                ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
            });

        (await service.Http.GetAsync("/hello")).EnsureSuccessStatusCode();

        await Eventually.UntilAsync(() => collector.Received.ContainsKey("/v1/traces") && collector.Received.ContainsKey("/v1/metrics") && collector.Received.ContainsKey("/v1/logs"),
            $"traces, metrics and logs at the collector (got: {string.Join(", ", collector.Received.Keys)})");
    }

    /// <summary>An OTLP/HTTP receiver that records which signal paths were posted to and answers 200.</summary>
    private sealed class FakeCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeCollector(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }
        public ConcurrentDictionary<string, int> Received { get; } = new();

        public static async Task<FakeCollector> StartAsync()
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var collector = new FakeCollector(app, $"http://127.0.0.1:{port}");
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                await context.Request.Body.CopyToAsync(Stream.Null);
                collector.Received.AddOrUpdate(context.Request.Path.Value!, 1, (_, n) => n + 1);
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            return collector;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
