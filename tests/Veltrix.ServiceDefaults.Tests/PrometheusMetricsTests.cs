using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Veltrix.ServiceDefaults.Metrics;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>The aggregation and the text, driven by a meter of the test's own (no server needed).</summary>
public sealed class PrometheusMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly TestLoggerProvider _logs = new();
    private readonly Meter _meter;
    private readonly PrometheusMetrics _prometheus;

    public PrometheusMetricsTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _meter = factory.Create("Veltrix.Tests");
        _prometheus = new PrometheusMetrics(factory, m => m.Name == "Veltrix.Tests", _logs.CreateLogger("prometheus"), maxSeriesPerMetric: 3);
    }

    public void Dispose()
    {
        _prometheus.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void Counters_get_the_unit_and_total_suffix_and_sum_per_label_set()
    {
        var counter = _meter.CreateCounter<long>("veltrix.things.done", "{thing}", "Things done.");
        counter.Add(2, new KeyValuePair<string, object?>("kind", "a"));
        counter.Add(3, new KeyValuePair<string, object?>("kind", "a"));
        counter.Add(1, new KeyValuePair<string, object?>("kind", "b"));

        var text = _prometheus.Scrape();
        var samples = PrometheusText.Parse(text);

        Assert.Contains("# HELP veltrix_things_done_total Things done.\n# TYPE veltrix_things_done_total counter\n", text);
        Assert.Equal(5, PrometheusText.Value(samples, "veltrix_things_done_total", ("kind", "a")));
        Assert.Equal(1, PrometheusText.Value(samples, "veltrix_things_done_total", ("kind", "b")));
    }

    [Fact]
    public void Histograms_write_cumulative_buckets_sum_and_count_with_seconds_in_the_name()
    {
        var histogram = _meter.CreateHistogram<double>("veltrix.step.duration", "s", "How long a step took.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1, 10] });
        foreach (var value in new[] { 0.05, 0.1, 0.5, 5, 50 }) histogram.Record(value);

        var samples = PrometheusText.Parse(_prometheus.Scrape());

        Assert.Equal(2, PrometheusText.Value(samples, "veltrix_step_duration_seconds_bucket", ("le", "0.1")));
        Assert.Equal(3, PrometheusText.Value(samples, "veltrix_step_duration_seconds_bucket", ("le", "1")));
        Assert.Equal(4, PrometheusText.Value(samples, "veltrix_step_duration_seconds_bucket", ("le", "10")));
        Assert.Equal(5, PrometheusText.Value(samples, "veltrix_step_duration_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(55.65, PrometheusText.Value(samples, "veltrix_step_duration_seconds_sum")!.Value, 6);
        Assert.Equal(5, PrometheusText.Value(samples, "veltrix_step_duration_seconds_count"));
    }

    [Fact]
    public void Up_down_counters_and_observable_instruments_are_gauges_read_at_scrape_time()
    {
        var inFlight = _meter.CreateUpDownCounter<int>("veltrix.in_flight");
        inFlight.Add(5);
        inFlight.Add(-2);
        var depth = 7;
        _meter.CreateObservableGauge("veltrix.queue.depth", () => depth, "{message}");
        _meter.CreateObservableCounter("veltrix.bytes.sent", () => 1024L, "By");

        var first = PrometheusText.Parse(_prometheus.Scrape());
        depth = 9;
        var text = _prometheus.Scrape();
        var second = PrometheusText.Parse(text);

        Assert.Equal(3, PrometheusText.Value(first, "veltrix_in_flight"));
        Assert.Equal(7, PrometheusText.Value(first, "veltrix_queue_depth"));
        Assert.Equal(9, PrometheusText.Value(second, "veltrix_queue_depth"));
        Assert.Equal(1024, PrometheusText.Value(second, "veltrix_bytes_sent_bytes_total"));
        Assert.Contains("# TYPE veltrix_in_flight gauge\n", text);
        Assert.Contains("# TYPE veltrix_bytes_sent_bytes_total counter\n", text);
    }

    [Fact]
    public void Label_values_are_escaped_and_label_names_sanitised()
    {
        var counter = _meter.CreateCounter<int>("veltrix.odd-name/with spaces");
        counter.Add(1, new KeyValuePair<string, object?>("path.with-dash", "a\\b \"quoted\"\nnext"));

        var text = _prometheus.Scrape();
        var samples = PrometheusText.Parse(text);

        Assert.Contains("veltrix_odd_name_with_spaces_total{path_with_dash=\"a\\\\b \\\"quoted\\\"\\nnext\"} 1\n", text);
        Assert.Equal(1, PrometheusText.Value(samples, "veltrix_odd_name_with_spaces_total", ("path_with_dash", "a\\b \"quoted\"\nnext")));
    }

    [Fact]
    public void Series_beyond_the_cap_are_dropped_with_one_warning()
    {
        var counter = _meter.CreateCounter<long>("veltrix.requests");
        for (var i = 0; i < 10; i++) counter.Add(1, new KeyValuePair<string, object?>("id", $"id-{i}"));
        counter.Add(1, new KeyValuePair<string, object?>("id", "id-0"));

        var samples = PrometheusText.Parse(_prometheus.Scrape());

        var series = samples.Where(s => s.Name == "veltrix_requests_total").ToList();
        Assert.Equal(3, series.Count);
        Assert.Equal(2, PrometheusText.Value(samples, "veltrix_requests_total", ("id", "id-0")));
        var warnings = _logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("veltrix_requests_total")).ToList();
        Assert.Single(warnings);
    }

    [Fact]
    public void Meters_of_another_container_are_ignored()
    {
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var foreign = other.GetRequiredService<IMeterFactory>().Create("Veltrix.Tests");
        foreign.CreateCounter<int>("veltrix.foreign").Add(1);
        _meter.CreateCounter<int>("veltrix.own").Add(1);

        var text = _prometheus.Scrape();

        Assert.Contains("veltrix_own_total 1\n", text);
        Assert.DoesNotContain("veltrix_foreign", text);
    }

    [Theory]
    [InlineData("http.server.request.duration", "s", "Histogram", "http_server_request_duration_seconds")]
    [InlineData("http.server.active_requests", "{request}", "Gauge", "http_server_active_requests")]
    [InlineData("kestrel.connection.duration", "s", "Histogram", "kestrel_connection_duration_seconds")]
    [InlineData("veltrix.events.published", "{event}", "Counter", "veltrix_events_published_total")]
    [InlineData("process.memory", "By", "Gauge", "process_memory_bytes")]
    [InlineData("throughput", "By/s", "Gauge", "throughput_bytes_per_second")]
    [InlineData("already_seconds", "s", "Gauge", "already_seconds")]
    [InlineData("9lives", "1", "Gauge", "_9lives")]
    public void Names_follow_the_OpenTelemetry_Prometheus_conventions(string instrument, string unit, string kind, string expected) =>
        Assert.Equal(expected, PrometheusNames.MetricName(instrument, unit, Enum.Parse<MetricKind>(kind)));
}
