using System.Threading.Channels;

namespace Veltrix.Sagas;

/// <summary>
/// The bounded in-process queue of instances to tick, de-duplicated: an instance is queued or running at most once,
/// and a nudge while it runs makes it run once more. When the queue is full a nudge is dropped — the sweeper finds
/// the instance through the index.
/// </summary>
internal sealed class SagaQueue(SagaOptions options)
{
    private readonly Channel<string> _channel = Channel.CreateBounded<string>(new BoundedChannelOptions(options.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private readonly Dictionary<string, bool> _active = new(StringComparer.Ordinal); // value: nudged again while queued or running
    private readonly Lock _gate = new();

    public ChannelReader<string> Reader => _channel.Reader;

    public void Nudge(string instanceId)
    {
        lock (_gate)
        {
            if (_active.ContainsKey(instanceId))
            {
                _active[instanceId] = true;
                return;
            }
            if (_active.Count >= options.QueueCapacity || !_channel.Writer.TryWrite(instanceId)) return;
            _active[instanceId] = false;
        }
    }

    /// <summary>After a tick: true when the instance was nudged meanwhile and should be ticked again now.</summary>
    public bool Done(string instanceId)
    {
        lock (_gate)
        {
            if (_active.TryGetValue(instanceId, out var again) && again)
            {
                _active[instanceId] = false;
                return true;
            }
            _active.Remove(instanceId);
            return false;
        }
    }
}
