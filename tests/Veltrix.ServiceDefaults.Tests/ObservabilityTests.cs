using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Veltrix.ServiceDefaults.Telemetry;
using Veltrix.Testing;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>
/// What docs/observability ships, against Debian's real <c>prometheus</c>: the scrape configuration (its ports swapped
/// for the test's) names every app of dapr.yaml, Prometheus scrapes each one's <c>/metrics</c> as up, reads an event
/// counter under the name the dashboards use, and accepts every query of the Grafana dashboard.
/// </summary>
public sealed partial class ObservabilityTests
{
    private static string Shipped(string file) => Path.Combine(RepositoryLayout.Root, "docs", "observability", file);

    [Fact]
    public async Task Prometheus_scrapes_every_app_with_the_shipped_configuration_and_runs_the_dashboards_queries()
    {
        var configuration = await File.ReadAllTextAsync(Shipped("prometheus.yml"), TestContext.Current.CancellationToken);
        var targets = Target().Matches(configuration).ToDictionary(m => m.Groups["app"].Value, m => m.Groups["port"].Value);
        var apps = AppId().Matches(await File.ReadAllTextAsync(Path.Combine(RepositoryLayout.Root, "dapr.yaml"), TestContext.Current.CancellationToken))
            .Select(m => m.Groups["id"].Value).ToList();
        Assert.Equal(apps.Order(), targets.Keys.Order());

        // One in-process service per app, on a free port, named as the app; the configuration points at them.
        var services = new Dictionary<string, TestService>();
        try
        {
            foreach (var app in apps)
            {
                var service = await TestService.StartAsync(settings: new Dictionary<string, string?> { ["OTEL_SERVICE_NAME"] = app });
                services[app] = service;
                configuration = configuration.Replace($"\"127.0.0.1:{targets[app]}\"", $"\"127.0.0.1:{service.Port}\"", StringComparison.Ordinal);
            }
            configuration = configuration.Replace("scrape_interval: 15s", "scrape_interval: 1s", StringComparison.Ordinal);
            services["gateway"].App.Services.GetRequiredService<EventMetrics>().Published("pubsub", "answer.submitted", 5);

            await using var prometheus = await PrometheusServer.StartAsync(configuration);

            JsonElement active = default;
            var up = await Eventually.TryAsync(async () =>
            {
                active = (await prometheus.GetAsync("/api/v1/targets")).GetProperty("activeTargets");
                return active.GetArrayLength() == apps.Count && active.EnumerateArray().All(t => t.GetProperty("health").GetString() == "up");
            }, TimeSpan.FromSeconds(60));
            Assert.True(up, $"every app up in prometheus; targets: {active}\nprometheus: {prometheus.Output}");
            Assert.Equal(apps.Order(), active.EnumerateArray().Select(t => t.GetProperty("labels").GetProperty("app").GetString()).Order());

            double? published = null;
            await Eventually.UntilAsync(async () =>
                (published = await prometheus.QueryOneAsync("""sum(veltrix_events_published_total{app="gateway",topic="answer.submitted"})""")) == 5,
                $"prometheus reads the gateway's 5 published events (last: {published})", TimeSpan.FromSeconds(30));

            // Every panel's query is valid PromQL over these series (Grafana's variables as it would fill them in).
            using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Shipped("grafana-dashboard.json"), TestContext.Current.CancellationToken));
            var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
                .Where(p => p.TryGetProperty("targets", out _))
                .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString(), Expr: t.GetProperty("expr").GetString()!)))
                .ToList();
            Assert.NotEmpty(queries);
            foreach (var (panel, expr) in queries)
            {
                var filled = expr.Replace("$__rate_interval", "1m", StringComparison.Ordinal).Replace("$app", ".*", StringComparison.Ordinal);
                await prometheus.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(filled)); // throws with prometheus' error
                Assert.False(string.IsNullOrEmpty(panel));
            }
        }
        finally
        {
            foreach (var service in services.Values) await service.DisposeAsync();
        }
    }

    [GeneratedRegex("""targets: \["127\.0\.0\.1:(?<port>\d+)"\]\s*\n\s*labels: \{app: (?<app>[a-z]+)\}""")]
    private static partial Regex Target();

    [GeneratedRegex(@"^\s*-\s*appID:\s*(?<id>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AppId();
}
