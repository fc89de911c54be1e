namespace Veltrix.ServiceDefaults.Metrics;

/// <summary>
/// The aggregate of one label set: a sum or last value for counters and gauges, bucket counts plus sum and count for
/// histograms. Measurements arrive on any thread; the scrape reads a consistent snapshot.
/// </summary>
internal sealed class MetricSeries(int bucketCount)
{
    private readonly long[] _bucketCounts = new long[bucketCount];
    private readonly Lock _histogramLock = new();
    private double _value;
    private double _sum;
    private long _count;

    public double Value => Volatile.Read(ref _value);

    public void Add(double delta)
    {
        var current = Volatile.Read(ref _value);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref _value, current + delta, current);
            // Compare bits, not values: NaN never equals itself and would spin forever.
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current)) return;
            current = seen;
        }
    }

    public void Set(double value) => Interlocked.Exchange(ref _value, value);

    public void Record(double value, double[] bounds)
    {
        // Upper bounds are inclusive (le): a value equal to a bound belongs to that bucket.
        var index = Array.BinarySearch(bounds, value);
        if (index < 0) index = ~index;
        lock (_histogramLock)
        {
            _bucketCounts[index]++;
            _sum += value;
            _count++;
        }
    }

    public (long[] Counts, double Sum, long Count) Snapshot()
    {
        lock (_histogramLock) return ((long[])_bucketCounts.Clone(), _sum, _count);
    }
}
