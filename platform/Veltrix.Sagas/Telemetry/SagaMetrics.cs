using System.Diagnostics.Metrics;

namespace Veltrix.Sagas;

/// <summary>
/// The engine's meter, <c>Veltrix.Sagas</c> (scraped on <c>/metrics</c>): instances by status (from the last sweep of
/// the index), step attempts, retries, compensations, finished instances and the time spent in steps.
/// </summary>
public sealed class SagaMetrics : IDisposable
{
    public const string MeterName = "Veltrix.Sagas";

    private readonly Meter _meter;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _compensations;
    private readonly Counter<long> _finished;
    private readonly Histogram<double> _stepSeconds;
    private volatile IReadOnlyDictionary<(string Saga, SagaStatus Status), int> _byStatus = new Dictionary<(string, SagaStatus), int>();

    public SagaMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _attempts = _meter.CreateCounter<long>("veltrix.saga.step.attempts", description: "Step and compensation attempts started.");
        _retries = _meter.CreateCounter<long>("veltrix.saga.step.retries", description: "Failed attempts scheduled for a retry.");
        _compensations = _meter.CreateCounter<long>("veltrix.saga.compensations", description: "Compensations finished, by outcome.");
        _finished = _meter.CreateCounter<long>("veltrix.saga.instances.finished", description: "Instances that reached a terminal status.");
        _stepSeconds = _meter.CreateHistogram<double>("veltrix.saga.step.duration", unit: "s", description: "Time in one step attempt.");
        _meter.CreateObservableGauge("veltrix.saga.instances", ObserveInstances, description: "Instances by saga and status, as of the last index sweep.");
    }

    internal void Attempt(string saga, string step, string kind) =>
        _attempts.Add(1, new("saga", saga), new("step", step), new("kind", kind));

    internal void Retry(string saga, string step, string kind) =>
        _retries.Add(1, new("saga", saga), new("step", step), new("kind", kind));

    internal void Compensation(string saga, string step, string outcome) =>
        _compensations.Add(1, new("saga", saga), new("step", step), new("outcome", outcome));

    internal void Finished(string saga, SagaStatus status) =>
        _finished.Add(1, new("saga", saga), new("status", status.ToRuntimeStatus()));

    internal void StepTime(string saga, string step, TimeSpan elapsed) =>
        _stepSeconds.Record(elapsed.TotalSeconds, new("saga", saga), new("step", step));

    internal void Snapshot(IEnumerable<SagaIndexEntry> entries) =>
        _byStatus = entries.GroupBy(e => (e.SagaName, e.Status)).ToDictionary(g => g.Key, g => g.Count());

    private IEnumerable<Measurement<int>> ObserveInstances() =>
        _byStatus.Select(p => new Measurement<int>(p.Value, new("saga", p.Key.Saga), new("status", p.Key.Status.ToRuntimeStatus())));

    public void Dispose() => _meter.Dispose();
}
