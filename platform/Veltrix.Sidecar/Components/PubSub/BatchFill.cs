using System.Threading.Channels;

namespace Veltrix.Sidecar.Components.PubSub;

/// <summary>How every pub/sub component forms a delivery batch from its queue of waiting messages.</summary>
internal static class BatchFill
{
    /// <summary>
    /// Takes what is waiting, up to <paramref name="maxBatch"/>; for bulk subscriptions (a positive
    /// <paramref name="maxWait"/>) waits up to that window for more. Returns early, never throws, when the window closes.
    /// </summary>
    public static async Task FillAsync<T>(ChannelReader<T> reader, List<T> batch, int maxBatch, TimeSpan maxWait, CancellationToken stopping)
    {
        while (batch.Count < maxBatch && reader.TryRead(out var item)) batch.Add(item);
        if (batch.Count == 0 || batch.Count >= maxBatch || maxWait <= TimeSpan.Zero) return;
        using var window = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        window.CancelAfter(maxWait);
        try
        {
            while (batch.Count < maxBatch && await reader.WaitToReadAsync(window.Token))
                while (batch.Count < maxBatch && reader.TryRead(out var item)) batch.Add(item);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            // the batch window closed
        }
    }
}
