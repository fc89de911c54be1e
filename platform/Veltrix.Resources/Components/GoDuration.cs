using System.Globalization;

namespace Veltrix.Resources.Components;

/// <summary>
/// Parses durations the way Dapr's YAML writes them (Go's time.ParseDuration: "1h2m3.5s", "500ms"), and also a bare
/// number of seconds, which several components accept.
/// </summary>
public static class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        var negative = text.StartsWith('-');
        if (negative || text.StartsWith('+')) text = text[1..];
        if (text.Length == 0) return false;
        double totalTicks = 0;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (start == i || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                return false;
            var unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.') i++;
            double? ticksPerUnit = text[unitStart..i] switch
            {
                "ns" => 0.01,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => null,
            };
            if (ticksPerUnit is null) return false;
            totalTicks += number * ticksPerUnit.Value;
        }
        value = TimeSpan.FromTicks((long)(negative ? -totalTicks : totalTicks));
        return true;
    }
}
