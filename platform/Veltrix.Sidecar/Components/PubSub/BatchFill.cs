using System.Threading.Channels;

namespace Veltrix.Sidecar.Components.PubSub;

/// <summary>How every pub/sub component forms a delivery batch from its queue of waiting messages.</summary>
internal static class BatchFill
{
    /// <summary>
    /// Takes what is waiting, up to <paramref name="maxBatch"/>; for bulk subscriptions (a positive
    /// <paramref name="maxWait"/>) waits up to that window for more, but only while the subscriber is busy. Returns
    /// early, without throwing, when the window closes; throws <see cref="OperationCanceledException"/> when
    /// <paramref name="stopping"/> is cancelled.
    /// </summary>
    /// <param name="subscriberIdle">
    /// <see cref="SubscriberActivity.Idle"/>: cancelled once no other delivery of this subscription is in flight, which
    /// ends the window (Nagle's rule). The window pays while the subscriber is busy, as more messages arrive during it; at
    /// an idle subscriber it is pure latency, a millisecond or more per hop even at <c>maxAwaitMs: 1</c>, because a bulk
    /// publish lands whole and nothing follows it. daprd's <c>maxAwaitDurationMs</c> is a maximum, so delivering sooner
    /// keeps its contract; under load deliveries overlap and batches fill as before.
    /// </param>
    public static async Task FillAsync<T>(ChannelReader<T> reader, List<T> batch, int maxBatch, TimeSpan maxWait, CancellationToken subscriberIdle, CancellationToken stopping)
    {
        while (batch.Count < maxBatch && reader.TryRead(out var item)) batch.Add(item);
        if (batch.Count == 0 || batch.Count >= maxBatch || maxWait <= TimeSpan.Zero || subscriberIdle.IsCancellationRequested) return;
        using var window = CancellationTokenSource.CreateLinkedTokenSource(stopping, subscriberIdle);
        window.CancelAfter(maxWait);
        while (batch.Count < maxBatch)
        {
            // The window closing is the usual end of a batch under a moderate load (hundreds of times a second): awaited
            // without throwing, because an OperationCanceledException per batch cost more than the wait itself.
            var more = reader.WaitToReadAsync(window.Token).AsTask();
            await ((Task)more).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            stopping.ThrowIfCancellationRequested(); // stopping still ends the worker as before
            if (!more.IsCompletedSuccessfully || !more.Result) return;
            while (batch.Count < maxBatch && reader.TryRead(out var item)) batch.Add(item);
        }
    }
}
