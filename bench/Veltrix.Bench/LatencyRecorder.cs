using System.Diagnostics;

namespace Veltrix.Bench;

/// <summary>Fixed-size latency samples (no allocation while measuring) and the percentiles of them.</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly long[] _ticks = new long[capacity];
    private int _count;

    public int Count => Math.Min(Volatile.Read(ref _count), _ticks.Length);

    public void Record(long startTimestamp)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        if (index < _ticks.Length) _ticks[index] = Stopwatch.GetTimestamp() - startTimestamp;
    }

    public double PercentileMs(double percentile)
    {
        var samples = _ticks.AsSpan(0, Count).ToArray();
        if (samples.Length == 0) return double.NaN;
        Array.Sort(samples);
        var index = Math.Clamp((int)Math.Ceiling(percentile / 100 * samples.Length) - 1, 0, samples.Length - 1);
        return samples[index] * 1000.0 / Stopwatch.Frequency;
    }
}
