using System.Threading.Channels;

namespace Veltrix.Sidecar.Components.PubSub;

/// <summary>How every pub/sub component forms a delivery batch from its queue of waiting messages.</summary>
internal static class BatchFill
{
    /// <summary>
    /// Takes what is waiting, up to <paramref name="maxBatch"/>; for bulk subscriptions (a positive
    /// <paramref name="maxWait"/>) waits up to that window for more. Returns early, without throwing, when the window closes;
    /// throws <see cref="OperationCanceledException"/> when <paramref name="stopping"/> is cancelled.
    /// </summary>
    public static async Task FillAsync<T>(ChannelReader<T> reader, List<T> batch, int maxBatch, TimeSpan maxWait, CancellationToken stopping)
    {
        while (batch.Count < maxBatch && reader.TryRead(out var item)) batch.Add(item);
        if (batch.Count == 0 || batch.Count >= maxBatch || maxWait <= TimeSpan.Zero) return;
        using var window = CancellationTokenSource.CreateLinkedTokenSource(stopping);
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
