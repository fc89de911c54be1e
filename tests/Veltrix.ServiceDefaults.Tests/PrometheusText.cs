using System.Globalization;
using System.Text.RegularExpressions;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>One sample line of the text exposition format.</summary>
internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict reader of Prometheus text format 0.0.4 for assertions: every line must be a HELP, a TYPE or a sample; HELP
/// and TYPE appear once per family and before its samples; samples belong to the declared family.
/// </summary>
internal static partial class PrometheusText
{
    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""\G(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\\\|\\"|\\n|[^"\\\n])*)"(,|$)""")]
    private static partial Regex Label();

    [GeneratedRegex("""^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)( (?<rest>.*))?$""")]
    private static partial Regex Comment();

    public static IReadOnlyList<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helps = new HashSet<string>(StringComparer.Ordinal);
        var seenSeries = new HashSet<string>(StringComparer.Ordinal);
        string? currentFamily = null;
        Assert.EndsWith("\n", text);
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith('#'))
            {
                var comment = Comment().Match(line);
                Assert.True(comment.Success, $"malformed comment line: {line}");
                var name = comment.Groups["name"].Value;
                if (comment.Groups["kind"].Value == "HELP")
                {
                    Assert.True(helps.Add(name), $"HELP twice for {name}");
                }
                else
                {
                    Assert.False(types.ContainsKey(name), $"TYPE twice for {name}");
                    Assert.Contains(comment.Groups["rest"].Value, (string[])["counter", "gauge", "histogram", "summary", "untyped"]);
                    types[name] = comment.Groups["rest"].Value;
                }
                currentFamily = name;
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"malformed sample line: {line}");
            var sampleName = match.Groups["name"].Value;
            Assert.NotNull(currentFamily);
            var family = currentFamily!;
            var allowed = types.GetValueOrDefault(family) == "histogram"
                ? new[] { family + "_bucket", family + "_sum", family + "_count" }
                : [family];
            Assert.True(allowed.Contains(sampleName), $"sample {sampleName} is not part of family {family}");

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var labelText = match.Groups["labels"].Value;
            var at = 0;
            while (at < labelText.Length)
            {
                var label = Label().Match(labelText, at);
                Assert.True(label.Success, $"malformed labels in: {line}");
                Assert.True(labels.TryAdd(label.Groups["name"].Value, Unescape(label.Groups["value"].Value)), $"duplicate label in: {line}");
                at = label.Index + label.Length;
            }

            var valueText = match.Groups["value"].Value;
            var value = valueText switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            Assert.True(seenSeries.Add(sampleName + "|" + string.Join(",", labels.OrderBy(l => l.Key).Select(l => l.Key + "=" + l.Value))),
                $"the same series twice: {line}");
            samples.Add(new Sample(sampleName, labels, value));
        }
        return samples;
    }

    private static string Unescape(string value)
    {
        var builder = new System.Text.StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                builder.Append(value[i] == 'n' ? '\n' : value[i]);
            }
            else
            {
                builder.Append(value[i]);
            }
        }
        return builder.ToString();
    }

    public static double? Value(IEnumerable<Sample> samples, string name, params (string Label, string Value)[] labels) =>
        samples.FirstOrDefault(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))?.Value;
}
