using System.Globalization;
using System.Text.RegularExpressions;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>
/// One scrape of a Prometheus text endpoint, read the way a scraper reads it: one sample per line,
/// `name{label="value",…} value [timestamp]`. A series asked for with a subset of its labels is summed over the rest.
/// </summary>
public sealed partial class PrometheusScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples;

    private PrometheusScrape(List<(string, Dictionary<string, string>, double)> samples, string text)
    {
        _samples = samples;
        Text = text;
    }

    public string Text { get; }

    public static async Task<PrometheusScrape> ReadAsync(HttpClient http)
    {
        var text = await http.GetStringAsync("/metrics");
        var samples = new List<(string, Dictionary<string, string>, double)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = Sample().Match(line);
            if (!match.Success) continue;
            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["key"].Value, m => Regex.Unescape(m.Groups["value"].Value), StringComparer.Ordinal);
            samples.Add((match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
        return new PrometheusScrape(samples, text);
    }

    /// <summary>The sum of the series of <paramref name="metric"/> carrying all the given labels; 0 when there is none yet.</summary>
    public double Value(string metric, params (string Label, string Value)[] labels) =>
        _samples.Where(s => s.Name == metric && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).Sum(s => s.Value);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
