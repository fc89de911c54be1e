using System.Collections.Concurrent;
using System.Threading.Channels;
using Dapr.DurableTask.Protobuf;

namespace Veltrix.Sidecar.Workflows;

/// <summary>
/// The work items of one app waiting for a worker stream, and those handed to a stream and not yet answered. When a
/// stream ends, whatever it held unanswered goes back through <see cref="Returned"/> (the engine re-dispatches it), so a
/// broken worker connection loses no turn and no activity — an activity may then run twice (at least once, as daprd).
/// </summary>
internal sealed class WorkItemQueue
{
    private readonly Channel<WorkItem> _waiting = Channel.CreateUnbounded<WorkItem>();
    private readonly ConcurrentDictionary<string, (WorkItem Item, long Stream)> _delivered = new(StringComparer.Ordinal);
    private long _streams;

    public Action<WorkItem>? Returned { get; set; }

    public void Enqueue(WorkItem item) => _waiting.Writer.TryWrite(item);

    /// <summary>An answer arrived: the item is no longer owed by its stream.</summary>
    public void Acknowledge(string completionToken) => _delivered.TryRemove(completionToken, out _);

    /// <summary>Feeds one worker stream until it is cancelled, then returns everything it left unanswered.</summary>
    public async Task ServeAsync(Func<WorkItem, Task> write, CancellationToken cancellationToken)
    {
        var stream = Interlocked.Increment(ref _streams);
        try
        {
            while (true)
            {
                var item = await _waiting.Reader.ReadAsync(cancellationToken);
                _delivered[item.CompletionToken] = (item, stream);
                try
                {
                    await write(item);
                }
                catch
                {
                    _waiting.Writer.TryWrite(item); // not written: back in line, no one saw it
                    _delivered.TryRemove(item.CompletionToken, out _);
                    throw;
                }
            }
        }
        finally
        {
            foreach (var (token, (item, owner)) in _delivered)
                if (owner == stream && _delivered.TryRemove(token, out _)) Returned?.Invoke(item);
        }
    }
}
