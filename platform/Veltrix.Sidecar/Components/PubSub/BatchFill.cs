using System.Threading.Channels;

namespace Veltrix.Sidecar.Components.PubSub;

/// <summary>How every pub/sub component forms a delivery batch from its queue of waiting messages.</summary>
internal static class BatchFill
{
    /// <summary>
    /// Takes what is waiting, up to <paramref name="maxBatch"/>, and never waits for more. A bulk subscription has one
    /// delivery in flight at a time, as under daprd (its default bulk subscriber hands the app one batch and waits for the
    /// answer before the next), so a batch is what arrived while the previous one was being delivered: under load batches
    /// grow by themselves, and at an idle subscriber an event goes at once instead of waiting a window for events that
    /// are not coming (every publish of the treasure hunt is a bulk publish that lands whole). <c>maxAwaitDurationMs</c>
    /// is a maximum, so delivering sooner keeps daprd's contract.
    /// </summary>
    public static void Fill<T>(ChannelReader<T> reader, List<T> batch, int maxBatch)
    {
        while (batch.Count < maxBatch && reader.TryRead(out var item)) batch.Add(item);
    }
}
