using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Veltrix.Leaderboard.Board;

/// <summary>
/// Tells live pages that a hunt's board changed. Each viewer holds at most one pending board (a newer one replaces
/// it): a slow browser costs one board of memory, never a growing queue. The number of viewers is bounded too.
/// </summary>
public sealed class BoardChanges
{
    public const int MaxViewers = 1_000;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<LeaderboardView>, byte>> _viewers = new(StringComparer.Ordinal);
    private readonly Lock _membership = new(); // viewers come and go rarely; a hunt's set is dropped with its last viewer
    private int _count;

    /// <summary>Null when the viewer limit is reached.</summary>
    public Subscription? Subscribe(string huntId)
    {
        var channel = Channel.CreateBounded<LeaderboardView>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_membership)
        {
            if (_count >= MaxViewers) return null;
            _count++;
            _viewers.GetOrAdd(huntId, _ => new())[channel] = 0;
        }
        return new Subscription(channel.Reader, () =>
        {
            lock (_membership)
            {
                _count--;
                if (_viewers.TryGetValue(huntId, out var set) && set.TryRemove(channel, out _) && set.IsEmpty) _viewers.TryRemove(huntId, out _);
            }
        });
    }

    public void Publish(LeaderboardView view)
    {
        if (!_viewers.TryGetValue(view.HuntId, out var set)) return;
        foreach (var channel in set.Keys) channel.Writer.TryWrite(view);
    }

    public sealed class Subscription(ChannelReader<LeaderboardView> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<LeaderboardView> Reader => reader;

        public void Dispose() => unsubscribe();
    }
}
