using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Veltrix.Leaderboard.Board;

/// <summary>
/// Tells live pages that a hunt's board changed. Each viewer holds at most one pending board (a newer one replaces
/// it): a slow browser costs one board of memory, never a growing queue. The number of viewers is bounded, in all and
/// per client address, so one client holding connections open cannot lock everyone else out.
/// </summary>
public sealed class BoardChanges(IOptions<LiveViewerOptions> options)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<LeaderboardView>, byte>> _viewers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal); // under _membership
    private readonly Lock _membership = new(); // viewers come and go rarely; a hunt's set is dropped with its last viewer
    private int _count;

    public LiveViewerOptions Limits => options.Value;

    /// <summary>A new viewer of <paramref name="huntId"/> from <paramref name="client"/>, or why not (the subscription is then null).</summary>
    public Subscription? Subscribe(string huntId, string client, out ViewerRefusal refusal)
    {
        var channel = Channel.CreateBounded<LeaderboardView>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_membership)
        {
            var ofClient = _perClient.GetValueOrDefault(client);
            refusal = _count >= Limits.MaxViewers ? ViewerRefusal.TooManyViewers
                : ofClient >= Limits.MaxViewersPerClient ? ViewerRefusal.TooManyFromClient
                : ViewerRefusal.None;
            if (refusal != ViewerRefusal.None) return null;
            _count++;
            _perClient[client] = ofClient + 1;
            _viewers.GetOrAdd(huntId, _ => new())[channel] = 0;
        }
        return new Subscription(channel.Reader, () =>
        {
            lock (_membership)
            {
                _count--;
                if (--_perClient[client] == 0) _perClient.Remove(client);
                if (_viewers.TryGetValue(huntId, out var set) && set.TryRemove(channel, out _) && set.IsEmpty) _viewers.TryRemove(huntId, out _);
            }
        });
    }

    /// <summary>Whether anyone watches the hunt (a board is ranked for live pages only then).</summary>
    public bool HasViewers(string huntId) => _viewers.TryGetValue(huntId, out var set) && !set.IsEmpty;

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

/// <summary>Why a live page was refused a slot.</summary>
public enum ViewerRefusal
{
    None,
    TooManyViewers,
    TooManyFromClient,
}
