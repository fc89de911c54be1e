using System.Diagnostics;

namespace Veltrix.Testing;

/// <summary>
/// Load offered open loop, as a flood of clients that never back off: batches go out at a fixed rate whatever the
/// answers, so a slow or refusing system is offered as much as a fast one (a closed-loop client slows down with it).
/// </summary>
public static class OpenLoop
{
    /// <summary>
    /// Every 10 ms, starts <paramref name="send"/>(first) for each whole batch of <paramref name="batch"/> events that
    /// <paramref name="rate"/> × the time elapsed owes, numbering events from 0, until <paramref name="duration"/> has
    /// passed or <paramref name="limit"/> events were offered; then waits for every send. A batch due while
    /// <paramref name="maxOutstanding"/> sends are still running is skipped (the load tool's own bound).
    /// </summary>
    /// <returns>How many batches were skipped.</returns>
    public static async Task<int> OfferAsync(double rate, TimeSpan duration, int batch, Func<int, Task> send, int limit = int.MaxValue,
        int maxOutstanding = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(send);
        var sends = new List<Task>();
        var outstanding = 0;
        var skipped = 0;
        var sent = 0;
        var clock = Stopwatch.StartNew();
        for (var tick = 0; clock.Elapsed < duration; tick++)
        {
            var due = TimeSpan.FromMilliseconds(tick * 10);
            if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed, cancellationToken);
            for (; sent + batch <= rate * clock.Elapsed.TotalSeconds && sent + batch <= limit; sent += batch)
            {
                if (Volatile.Read(ref outstanding) >= maxOutstanding)
                {
                    skipped++;
                    continue;
                }
                var first = sent;
                Interlocked.Increment(ref outstanding);
                sends.Add(Task.Run(async () =>
                {
                    try
                    {
                        await send(first);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref outstanding);
                    }
                }, cancellationToken));
            }
        }
        await Task.WhenAll(sends);
        return skipped;
    }
}
