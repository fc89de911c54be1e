using System.Collections.Concurrent;
using System.Text;

namespace Veltrix.ServiceDefaults.Metrics;

/// <summary>
/// One Prometheus metric family (one HELP/TYPE block) and its series, one per label set. Instruments that map to the same
/// name (the same metric from two meters) share the family, so its samples are never written twice. The number of
/// series is capped: a tag with unbounded values (an id in a route) cannot grow memory without limit.
/// </summary>
internal sealed class MetricFamily(string name, MetricKind kind, string? help, double[] buckets, int maxSeries)
{
    private readonly ConcurrentDictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);
    private int _overflowed;

    public string Name { get; } = name;
    public MetricKind Kind { get; } = kind;
    public string? Help { get; } = help;
    public double[] Buckets { get; } = buckets;

    /// <summary>The series for a label set, or null when the cap is reached; <paramref name="firstOverflow"/> is true once.</summary>
    public MetricSeries? GetSeries(string labels, out bool firstOverflow)
    {
        firstOverflow = false;
        if (_series.TryGetValue(labels, out var series)) return series;
        if (_series.Count >= maxSeries)
        {
            firstOverflow = Interlocked.Exchange(ref _overflowed, 1) == 0;
            return null;
        }
        return _series.GetOrAdd(labels, _ => new MetricSeries(Kind == MetricKind.Histogram ? Buckets.Length + 1 : 0));
    }

    public int SeriesCount => _series.Count;

    public void WriteTo(StringBuilder builder)
    {
        if (_series.IsEmpty) return;
        if (!string.IsNullOrEmpty(Help)) builder.Append("# HELP ").Append(Name).Append(' ').Append(PrometheusNames.EscapeHelp(Help)).Append('\n');
        builder.Append("# TYPE ").Append(Name).Append(' ').Append(Kind switch
        {
            MetricKind.Counter => "counter",
            MetricKind.Gauge => "gauge",
            _ => "histogram",
        }).Append('\n');

        foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (Kind != MetricKind.Histogram)
            {
                builder.Append(Name).Append(labels).Append(' ').Append(PrometheusNames.Value(series.Value)).Append('\n');
                continue;
            }

            var (counts, sum, count) = series.Snapshot();
            long cumulative = 0;
            for (var i = 0; i <= Buckets.Length; i++)
            {
                cumulative += counts[i];
                var le = i < Buckets.Length ? PrometheusNames.Value(Buckets[i]) : "+Inf";
                builder.Append(Name).Append("_bucket").Append(WithLabel(labels, "le", le)).Append(' ').Append(cumulative).Append('\n');
            }
            builder.Append(Name).Append("_sum").Append(labels).Append(' ').Append(PrometheusNames.Value(sum)).Append('\n');
            builder.Append(Name).Append("_count").Append(labels).Append(' ').Append(count).Append('\n');
        }
    }

    /// <summary>Adds a label to a rendered label set (<c>{a="1"}</c> or empty).</summary>
    private static string WithLabel(string labels, string name, string value) =>
        labels.Length == 0 ? $"{{{name}=\"{value}\"}}" : $"{labels[..^1]},{name}=\"{value}\"}}";
}
