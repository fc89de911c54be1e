using System.Globalization;
using System.Text;

namespace Veltrix.ServiceDefaults.Metrics;

/// <summary>
/// OpenTelemetry → Prometheus naming (as the OpenTelemetry Prometheus exporter does it): dots become underscores, the
/// unit becomes a suffix (<c>http.server.request.duration</c> in <c>s</c> → <c>http_server_request_duration_seconds</c>),
/// counters end in <c>_total</c>, and label values are escaped for text format 0.0.4.
/// </summary>
internal static class PrometheusNames
{
    public static string MetricName(string instrumentName, string? unit, MetricKind kind)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        if (UnitSuffix(unit) is { Length: > 0 } suffix && !name.EndsWith("_" + suffix, StringComparison.Ordinal)) name += "_" + suffix;
        if (kind == MetricKind.Counter && !name.EndsWith("_total", StringComparison.Ordinal)) name += "_total";
        return name;
    }

    /// <summary>UCUM units as OpenTelemetry writes them; annotations like <c>{request}</c> are not units and add nothing.</summary>
    public static string UnitSuffix(string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit) || unit == "1") return "";
        if (unit.StartsWith('{')) return "";
        var perSlash = unit.Split('/', 2);
        var main = Word(perSlash[0]);
        if (perSlash.Length == 2 && Word(perSlash[1]) is { Length: > 0 } per) return main.Length > 0 ? $"{main}_per_{Singular(per)}" : "";
        return main;
    }

    private static string Word(string unit) => unit switch
    {
        "" => "",
        "d" => "days",
        "h" => "hours",
        "min" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "KBy" => "kilobytes",
        "MBy" => "megabytes",
        "GBy" => "gigabytes",
        "%" => "percent",
        _ when unit.StartsWith('{') => "",
        _ => Sanitize(unit, allowColon: false).Trim('_'),
    };

    private static string Singular(string word) => word.EndsWith('s') ? word[..^1] : word;

    /// <summary>Metric names: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>; label names the same without ':'. Runs of other characters become one '_'.</summary>
    public static string Sanitize(string name, bool allowColon)
    {
        var builder = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            var ok = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            if (ok) builder.Append(c);
            else if (builder.Length == 0 || builder[^1] != '_') builder.Append('_');
        }
        if (builder.Length == 0 || char.IsAsciiDigit(builder[0])) builder.Insert(0, '_');
        return builder.ToString();
    }

    public static string LabelName(string tagKey) => Sanitize(tagKey, allowColon: false);

    /// <summary>Label values escape backslash, double quote and line feed (text format 0.0.4).</summary>
    public static void AppendLabelValue(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append(@"\n"); break;
                default: builder.Append(c); break;
            }
        }
    }

    /// <summary>HELP text escapes backslash and line feed only.</summary>
    public static string EscapeHelp(string help) => help.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    public static string TagValue(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string Value(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
