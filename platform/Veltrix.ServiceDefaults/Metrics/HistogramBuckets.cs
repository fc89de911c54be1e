using System.Diagnostics.Metrics;

namespace Veltrix.ServiceDefaults.Metrics;

/// <summary>
/// Bucket upper bounds for a histogram: the instrument's own advice when it gives one (ASP.NET Core and HttpClient do),
/// else OpenTelemetry's defaults, scaled for durations in seconds so short requests do not all land in the first bucket.
/// </summary>
internal static class HistogramBuckets
{
    public static readonly double[] Seconds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    public static readonly double[] Default = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    public static double[] For(Instrument instrument)
    {
        var advice = instrument switch
        {
            Instrument<double> d => d.Advice?.HistogramBucketBoundaries?.ToArray(),
            Instrument<float> f => f.Advice?.HistogramBucketBoundaries?.Select(v => (double)v).ToArray(),
            Instrument<long> l => l.Advice?.HistogramBucketBoundaries?.Select(v => (double)v).ToArray(),
            Instrument<int> i => i.Advice?.HistogramBucketBoundaries?.Select(v => (double)v).ToArray(),
            _ => null,
        };
        if (advice is { Length: > 0 })
        {
            Array.Sort(advice);
            return advice;
        }
        return instrument.Unit == "s" ? Seconds : Default;
    }
}
