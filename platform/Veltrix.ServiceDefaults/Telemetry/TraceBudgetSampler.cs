using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// The root sampler of every service: records at most <c>Telemetry:TracesPerSecond</c> new traces a second (a token
/// bucket holding one second's worth, and never less than one trace, refilled continuously) and drops the rest.
/// ServiceDefaults wraps it in <see cref="ParentBasedSampler"/>, so only traces that start here are counted and every other service follows the
/// decision the <c>traceparent</c> carries: a trace is recorded whole or not at all.
/// <para>Why a budget rather than a ratio: a person's clicks are each traced (a ratio would miss most of them), while a
/// flood is bounded — every event gets its own span in every consumer, so one traced 500-event batch is over a thousand
/// spans. Measured before this sampler: at 6,000 answers/s the Aspire dashboard ingesting every span took a fifth of
/// the machine's two cores (docs/performance.md). Written here because the OpenTelemetry SDK ships ratio samplers only;
/// the contrib package with a rate-limiting one (OpenTelemetry.Extensions) is not served to this project.</para>
/// </summary>
public sealed class TraceBudgetSampler : Sampler
{
    private static readonly SamplingResult Record = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Skip = new(SamplingDecision.Drop);

    private readonly Bucket _requests;
    private readonly Bucket _background;

    public TraceBudgetSampler(double tracesPerSecond, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tracesPerSecond);
        time ??= TimeProvider.System;
        _requests = new Bucket(tracesPerSecond, time);
        _background = new Bucket(tracesPerSecond, time);
        Description = $"TraceBudgetSampler({tracesPerSecond}/s)";
    }

    /// <summary>
    /// Requests that reach the service (server and consumer spans) and what it starts on its own (a timer's client calls:
    /// configuration polls, sweeps) draw on separate budgets, so a poll every two seconds never spends the budget of
    /// the next request a person sends.
    /// </summary>
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        (samplingParameters.Kind is ActivityKind.Server or ActivityKind.Consumer ? _requests : _background).TryTake() ? Record : Skip;

    private sealed class Bucket
    {
        private readonly double _perSecond;
        private readonly double _capacity;
        private readonly TimeProvider _time;
        private readonly Lock _gate = new();
        private double _tokens;
        private long _refilledAt;

        public Bucket(double perSecond, TimeProvider time)
        {
            _perSecond = perSecond;
            // Below one a second the bucket still holds one whole trace, else it could never record any.
            _capacity = perSecond == 0 ? 0 : Math.Max(1, perSecond);
            _tokens = _capacity; // starts full
            _time = time;
            _refilledAt = time.GetTimestamp();
        }

        public bool TryTake()
        {
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                _tokens = Math.Min(_capacity, _tokens + _time.GetElapsedTime(_refilledAt, now).TotalSeconds * _perSecond);
                _refilledAt = now;
                if (_tokens < 1) return false;
                _tokens -= 1;
                return true;
            }
        }
    }
}
