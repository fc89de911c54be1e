using System.Globalization;
using System.Text.RegularExpressions;

namespace Veltrix.Testing;

/// <summary>
/// One read of a service's <c>/metrics</c> (Prometheus text), as a scraper reads it: <c>name{label="value",…} value</c>
/// per line. A series asked for with some of its labels is summed over the rest (the exporter adds <c>otel_scope_name</c>).
/// </summary>
public sealed partial class MetricsScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples;

    private MetricsScrape(List<(string, Dictionary<string, string>, double)> samples) => _samples = samples;

    public static async Task<MetricsScrape> ReadAsync(HttpClient http, string path = "/metrics") => Parse(await http.GetStringAsync(path));

    public static MetricsScrape Parse(string text)
    {
        var samples = new List<(string, Dictionary<string, string>, double)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = Sample().Match(line);
            if (!match.Success) continue;
            var labels = Label().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups["key"].Value, m => Regex.Unescape(m.Groups["value"].Value), StringComparer.Ordinal);
            samples.Add((match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
        return new MetricsScrape(samples);
    }

    /// <summary>The sum of the series of <paramref name="metric"/> carrying all the given labels; 0 when there is none.</summary>
    public double Value(string metric, params (string Label, string Value)[] labels) =>
        _samples.Where(s => s.Name == metric && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).Sum(s => s.Value);

    /// <summary>Whether any series of <paramref name="metric"/> exists.</summary>
    public bool Has(string metric) => _samples.Any(s => s.Name == metric);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
