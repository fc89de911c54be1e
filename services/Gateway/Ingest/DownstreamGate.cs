using Microsoft.Extensions.Options;

namespace Veltrix.Gateway.Ingest;

/// <summary>
/// Admission by what the broker behind the sidecar said last. When it refuses events (a subscription's queue is full,
/// or the broker said "not now"), the gate closes for a while and requests are answered 429 before their body is read:
/// parsing, validating and publishing events that the broker is bound to refuse again is what made goodput fall as
/// load rose. At each closing the window doubles when no request was accepted whole since the last closing (the queue
/// drains slower than the gate guessed), up to <see cref="GatewayOptions.MaxClosedMilliseconds"/>, and halves when one was. The bounded queue behind it holds seconds of work at the drain rate, so a closed gate never leaves
/// the consumers idle: it only stops the gateway from spending CPU that they need.
/// </summary>
public sealed class DownstreamGate(IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly TimeSpan _min = TimeSpan.FromMilliseconds(options.Value.MinClosedMilliseconds);
    private readonly TimeSpan _max = TimeSpan.FromMilliseconds(options.Value.MaxClosedMilliseconds);
    private TimeSpan _window = TimeSpan.FromMilliseconds(options.Value.MinClosedMilliseconds);
    private long _closedUntil;
    private bool _acceptedSinceClosing = true;

    /// <summary>How long until the gate opens again; zero when it is open.</summary>
    public TimeSpan ClosedFor
    {
        get
        {
            var now = time.GetTimestamp();
            var until = Volatile.Read(ref _closedUntil);
            return now >= until ? TimeSpan.Zero : time.GetElapsedTime(now, until);
        }
    }

    /// <summary>The broker refused some of a request's events: close (a refusal while already closed changes nothing).</summary>
    public void Refused()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (now < _closedUntil) return; // requests admitted before it closed report the same fullness again
            // Once per closing, not per request: a burst let in at a reopening reports many acceptances and refusals at once.
            // Refused with nothing accepted since the last closing: the queue drains slower than the window guessed, so double
            // it; something got through: the window was long enough, try half.
            _window = _acceptedSinceClosing
                ? TimeSpan.FromTicks(Math.Max(_min.Ticks, _window.Ticks / 2))
                : TimeSpan.FromTicks(Math.Min(_max.Ticks, _window.Ticks * 2));
            _acceptedSinceClosing = false;
            _closedUntil = now + (long)(_window.TotalSeconds * time.TimestampFrequency);
        }
    }

    /// <summary>The broker took every event of a request: the queue had room, so the next closing can be shorter.</summary>
    public void Accepted() => Volatile.Write(ref _acceptedSinceClosing, true);
}
