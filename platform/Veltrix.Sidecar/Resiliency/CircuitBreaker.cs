using Veltrix.Resources.Resiliency;

namespace Veltrix.Sidecar.Resiliency;

/// <summary>
/// Dapr's circuit breaker (gobreaker semantics): closed → open when `trip` holds over the counters; open → half-open
/// after `timeout`; half-open lets `maxRequests` through and closes after that many successes, or reopens on a failure.
/// In the closed state the counters reset every `interval` (0 = never).
/// </summary>
public sealed class CircuitBreaker(CircuitBreakerSpec spec, TimeProvider time)
{
    private enum State { Closed, Open, HalfOpen }

    private readonly Lock _lock = new();
    private State _state = State.Closed;
    private DateTimeOffset _since = time.GetUtcNow();
    private long _requests, _totalSuccesses, _totalFailures, _consecutiveSuccesses, _consecutiveFailures, _halfOpenInFlight;

    public string Name => spec.Name;

    public bool IsOpen
    {
        get { lock (_lock) { Advance(); return _state == State.Open; } }
    }

    /// <summary>False when the breaker is open (or half-open and full): the attempt must not be made.</summary>
    public bool TryEnter()
    {
        lock (_lock)
        {
            Advance();
            if (_state == State.Open) return false;
            if (_state == State.HalfOpen)
            {
                if (_halfOpenInFlight >= spec.MaxRequests) return false;
                _halfOpenInFlight++;
            }
            _requests++;
            return true;
        }
    }

    public void Record(bool success)
    {
        lock (_lock)
        {
            if (success)
            {
                _totalSuccesses++;
                _consecutiveSuccesses++;
                _consecutiveFailures = 0;
                if (_state == State.HalfOpen && _consecutiveSuccesses >= spec.MaxRequests) Move(State.Closed);
                return;
            }
            _totalFailures++;
            _consecutiveFailures++;
            _consecutiveSuccesses = 0;
            if (_state == State.HalfOpen || Trips()) Move(State.Open);
        }
    }

    private bool Trips() => spec.Trip.Evaluate(new Dictionary<string, long>
    {
        ["requests"] = _requests,
        ["totalSuccesses"] = _totalSuccesses,
        ["totalFailures"] = _totalFailures,
        ["consecutiveSuccesses"] = _consecutiveSuccesses,
        ["consecutiveFailures"] = _consecutiveFailures,
    });

    private void Advance()
    {
        var now = time.GetUtcNow();
        if (_state == State.Open && now - _since >= spec.Timeout) Move(State.HalfOpen);
        else if (_state == State.Closed && spec.Interval > TimeSpan.Zero && now - _since >= spec.Interval) Move(State.Closed);
    }

    private void Move(State state)
    {
        _state = state;
        _since = time.GetUtcNow();
        _requests = _totalSuccesses = _totalFailures = _consecutiveSuccesses = _consecutiveFailures = _halfOpenInFlight = 0;
    }
}
