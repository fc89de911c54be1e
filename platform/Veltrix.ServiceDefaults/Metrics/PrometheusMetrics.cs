using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;
using Veltrix.ServiceDefaults.Telemetry;

namespace Veltrix.ServiceDefaults.Metrics;

/// <summary>
/// Serves <c>/metrics</c> in Prometheus text format 0.0.4 (the OpenTelemetry Prometheus exporter is not on the feed):
/// a <see cref="MeterListener"/> aggregates every measurement of the scraped meters per label set, and a scrape writes
/// the aggregates. Meters made by another container's <see cref="IMeterFactory"/> are ignored, so two apps in one
/// process each report their own requests.
/// </summary>
internal sealed partial class PrometheusMetrics : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const int DefaultMaxSeriesPerMetric = 1000;

    private readonly MeterListener _listener;
    private readonly IMeterFactory? _meterFactory;
    private readonly Func<Meter, bool> _include;
    private readonly ILogger _logger;
    private readonly int _maxSeries;
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Lock _scrapeLock = new();

    public PrometheusMetrics(IMeterFactory meterFactory, ILogger<PrometheusMetrics> logger)
        : this(meterFactory, meter => TelemetrySources.IsScraped(meter.Name), logger, DefaultMaxSeriesPerMetric)
    {
    }

    /// <param name="meterFactory">This container's factory: meters it made, and meters made without one, are scraped.</param>
    /// <param name="include">Which meters (by name) to scrape.</param>
    /// <param name="logger">Where the one warning per capped metric goes.</param>
    /// <param name="maxSeriesPerMetric">Label sets kept per metric family; measurements for more are dropped.</param>
    internal PrometheusMetrics(IMeterFactory? meterFactory, Func<Meter, bool> include, ILogger logger, int maxSeriesPerMetric)
    {
        _meterFactory = meterFactory;
        _include = include;
        _logger = logger;
        _maxSeries = maxSeriesPerMetric;
        _listener = new MeterListener { InstrumentPublished = OnInstrumentPublished };
        _listener.SetMeasurementEventCallback<byte>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<short>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<int>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<long>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<float>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<double>((i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<decimal>((i, m, t, s) => Record(s, m, t));
        _listener.Start();
    }

    /// <summary>Writes every family that has at least one series; observable instruments are read now.</summary>
    public string Scrape()
    {
        var builder = new StringBuilder(4096);
        // One scrape at a time: observable callbacks write "last value" series, and two interleaved scrapes could mix reads.
        lock (_scrapeLock)
        {
            _listener.RecordObservableInstruments();
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal)) family.WriteTo(builder);
        }
        return builder.ToString();
    }

    /// <summary>The <c>/metrics</c> endpoint.</summary>
    public Task WriteAsync(HttpContext context)
    {
        context.Response.ContentType = ContentType;
        return context.Response.WriteAsync(Scrape(), context.RequestAborted);
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        if (meter.Scope is not null && !ReferenceEquals(meter.Scope, _meterFactory)) return;
        if (!_include(meter)) return;

        var (kind, aggregation) = Classify(instrument);
        var name = PrometheusNames.MetricName(instrument.Name, instrument.Unit, kind);
        var family = _families.GetOrAdd(name, _ => new MetricFamily(name, kind, instrument.Description,
            kind == MetricKind.Histogram ? HistogramBuckets.For(instrument) : [], _maxSeries));
        if (family.Kind != kind)
        {
            LogKindConflict(_logger, instrument.Name, meter.Name, name, family.Kind, kind);
            return;
        }
        listener.EnableMeasurementEvents(instrument, new Binding(family, aggregation));
    }

    private static (MetricKind Kind, Aggregation Aggregation) Classify(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (definition == typeof(Counter<>)) return (MetricKind.Counter, Aggregation.Sum);
        if (definition == typeof(ObservableCounter<>)) return (MetricKind.Counter, Aggregation.LastValue);
        if (definition == typeof(Histogram<>)) return (MetricKind.Histogram, Aggregation.Histogram);
        if (definition == typeof(UpDownCounter<>)) return (MetricKind.Gauge, Aggregation.Sum);
        // Observable up-down counters and observable gauges report absolute values; so does Gauge<T>.
        return (MetricKind.Gauge, Aggregation.LastValue);
    }

    private void Record<T>(object? state, T measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags) where T : struct, System.Numerics.INumberBase<T>
    {
        if (state is not Binding binding) return;
        var value = double.CreateSaturating(measurement);
        var series = binding.Family.GetSeries(Labels(tags), out var firstOverflow);
        if (series is null)
        {
            if (firstOverflow) LogSeriesCapped(_logger, binding.Family.Name, _maxSeries);
            return;
        }
        switch (binding.Aggregation)
        {
            case Aggregation.Sum: series.Add(value); break;
            case Aggregation.LastValue: series.Set(value); break;
            default: series.Record(value, binding.Family.Buckets); break;
        }
    }

    /// <summary>Renders a tag set as <c>{a="1",b="2"}</c>, sorted by name so the same set always has the same key.</summary>
    internal static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty) return "";
        var sorted = tags.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var builder = new StringBuilder(64).Append('{');
        string? previous = null;
        foreach (var (key, value) in sorted)
        {
            var name = PrometheusNames.LabelName(key);
            if (name == previous || name == "le") continue; // duplicate after sanitising, or the reserved bucket label
            if (previous is not null) builder.Append(',');
            previous = name;
            builder.Append(name).Append("=\"");
            PrometheusNames.AppendLabelValue(builder, PrometheusNames.TagValue(value));
            builder.Append('"');
        }
        return previous is null ? "" : builder.Append('}').ToString();
    }

    private enum Aggregation { Sum, LastValue, Histogram }

    private sealed record Binding(MetricFamily Family, Aggregation Aggregation);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Metric {Metric} reached {Max} label sets; measurements with new label values are dropped from /metrics. A tag has unbounded values (an id?)")]
    private static partial void LogSeriesCapped(ILogger logger, string metric, int max);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Instrument {Instrument} of meter {Meter} maps to {Metric}, already a {Existing}, not a {Kind}; it is left out of /metrics")]
    private static partial void LogKindConflict(ILogger logger, string instrument, string meter, string metric, MetricKind existing, MetricKind kind);
}
