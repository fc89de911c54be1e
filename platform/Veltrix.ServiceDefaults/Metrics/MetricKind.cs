namespace Veltrix.ServiceDefaults.Metrics;

/// <summary>The Prometheus type a metric family is written as.</summary>
internal enum MetricKind
{
    /// <summary>Monotonic sum: <c>Counter&lt;T&gt;</c>, <c>ObservableCounter&lt;T&gt;</c>.</summary>
    Counter,

    /// <summary>A value that goes up and down: up-down counters, gauges.</summary>
    Gauge,

    /// <summary>Cumulative buckets, sum and count: <c>Histogram&lt;T&gt;</c>.</summary>
    Histogram,
}
