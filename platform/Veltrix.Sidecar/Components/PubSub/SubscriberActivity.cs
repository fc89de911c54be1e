namespace Veltrix.Sidecar.Components.PubSub;

/// <summary>
/// Whether a subscription has deliveries in flight, for <see cref="BatchFill"/>: <see cref="Idle"/> is cancelled (or
/// already was) once none is. Called a few hundred times a second at most (once per delivery), so a lock is cheap here.
/// </summary>
internal sealed class SubscriberActivity
{
    private readonly Lock _gate = new();
    private int _delivering; // under _gate
    private CancellationTokenSource _idle = Cancelled(); // cancelled whenever _delivering is 0

    /// <summary>Cancelled when no delivery is in flight: at once if none is now, else when the last one in flight ends.</summary>
    public CancellationToken Idle
    {
        get
        {
            lock (_gate) return _idle.Token;
        }
    }

    public void Started()
    {
        lock (_gate)
        {
            if (_delivering++ == 0) _idle = new CancellationTokenSource();
        }
    }

    public void Finished()
    {
        CancellationTokenSource? ended = null;
        lock (_gate)
        {
            if (--_delivering == 0) ended = _idle;
        }
        ended?.Cancel(); // outside the lock: it runs the waiting workers' registrations
    }

    private static CancellationTokenSource Cancelled()
    {
        var source = new CancellationTokenSource();
        source.Cancel();
        return source;
    }
}
