using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Veltrix.Leaderboard.Board;

/// <summary>
/// Sends live pages what changed on a hunt's board. A viewer is subscribed first (that is where the limits apply) and
/// started by <see cref="BoardStore.FollowAsync"/> with the board it is shown first; from then on it gets every
/// change, in order. Each viewer holds at most <see cref="MaxPendingChanges"/> unsent changes: past that they are
/// folded into one (<see cref="BoardChange.Fold"/>), so a slow browser costs at most about one board of memory and
/// misses nothing. The number of viewers is bounded, in all and per client address, so one client holding
/// connections open cannot lock everyone else out.
/// </summary>
public sealed class BoardChanges(IOptions<LiveViewerOptions> options)
{
    /// <summary>Unsent changes a viewer may hold before they are folded into one.</summary>
    public const int MaxPendingChanges = 64;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Viewer, byte>> _viewers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal); // under _membership
    private readonly Lock _membership = new(); // viewers come and go rarely; a hunt's set is dropped with its last viewer
    private int _count;

    public LiveViewerOptions Limits => options.Value;

    /// <summary>A new viewer of <paramref name="huntId"/> from <paramref name="client"/>, or why not (the subscription is then null).</summary>
    public Subscription? Subscribe(string huntId, string client, out ViewerRefusal refusal)
    {
        var viewer = new Viewer();
        lock (_membership)
        {
            var ofClient = _perClient.GetValueOrDefault(client);
            refusal = _count >= Limits.MaxViewers ? ViewerRefusal.TooManyViewers
                : ofClient >= Limits.MaxViewersPerClient ? ViewerRefusal.TooManyFromClient
                : ViewerRefusal.None;
            if (refusal != ViewerRefusal.None) return null;
            _count++;
            _perClient[client] = ofClient + 1;
            _viewers.GetOrAdd(huntId, _ => new())[viewer] = 0;
        }
        return new Subscription(viewer, () =>
        {
            lock (_membership)
            {
                _count--;
                if (--_perClient[client] == 0) _perClient.Remove(client);
                if (_viewers.TryGetValue(huntId, out var set) && set.TryRemove(viewer, out _) && set.IsEmpty) _viewers.TryRemove(huntId, out _);
            }
        });
    }

    /// <summary>Whether a started viewer watches the hunt: changes are worked out for live pages only then.</summary>
    public bool HasViewers(string huntId)
    {
        if (!_viewers.TryGetValue(huntId, out var set)) return false;
        foreach (var (viewer, _) in set)
            if (viewer.Started) return true;
        return false;
    }

    /// <summary>Whether anyone is subscribed to the hunt, started or not.</summary>
    public bool IsWatched(string huntId) => _viewers.TryGetValue(huntId, out var set) && !set.IsEmpty;

    /// <summary>
    /// Sends a change to the hunt's started viewers. The caller holds the hunt's gate in <see cref="BoardStore"/>, so
    /// one hunt's changes are published one at a time and in order.
    /// </summary>
    public void Publish(BoardChange change)
    {
        if (!_viewers.TryGetValue(change.HuntId, out var set)) return;
        LiveChange? live = null;
        foreach (var (viewer, _) in set)
            if (viewer.Started) viewer.Offer(live ??= new LiveChange(change));
    }

    /// <summary>One live page's changes, in order, bounded.</summary>
    internal sealed class Viewer
    {
        private readonly Channel<LiveChange> _pending = Channel.CreateBounded<LiveChange>(MaxPendingChanges);
        private volatile bool _started;

        public bool Started => _started;

        public ChannelReader<LiveChange> Reader => _pending.Reader;

        public void Start() => _started = true;

        /// <summary>
        /// Queues the change, or, with <see cref="MaxPendingChanges"/> already waiting, takes them back and queues them
        /// folded with it. Only the hunt's publisher writes, so the queue has room again once emptied; the page may take
        /// some of the waiting changes first, and then gets the fold of the rest after them, still in order.
        /// </summary>
        public void Offer(LiveChange change)
        {
            if (_pending.Writer.TryWrite(change)) return;
            var waiting = new List<BoardChange>(MaxPendingChanges + 1);
            while (_pending.Reader.TryRead(out var queued)) waiting.Add(queued.Change);
            waiting.Add(change.Change);
            _pending.Writer.TryWrite(new LiveChange(BoardChange.Fold(waiting)));
        }
    }

    public sealed class Subscription : IDisposable
    {
        private readonly Viewer _viewer;
        private readonly Action _unsubscribe;

        internal Subscription(Viewer viewer, Action unsubscribe)
        {
            _viewer = viewer;
            _unsubscribe = unsubscribe;
        }

        /// <summary>The changes since the viewer was started.</summary>
        public ChannelReader<LiveChange> Reader => _viewer.Reader;

        /// <summary>From now on the viewer gets every change (called with the hunt's gate held, as the first board is taken).</summary>
        public void Start() => _viewer.Start();

        public void Dispose() => _unsubscribe();
    }
}

/// <summary>Why a live page was refused a slot.</summary>
public enum ViewerRefusal
{
    None,
    TooManyViewers,
    TooManyFromClient,
}
