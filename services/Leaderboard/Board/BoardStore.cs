using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Veltrix.Leaderboard.Events;

namespace Veltrix.Leaderboard.Board;

/// <summary>
/// Each hunt's board lives in the state store as <see cref="BoardPages.Count"/> pages (<see cref="BoardPages"/>), so a
/// batch of awards reads and rewrites only the pages of its players — one bulk read, one state transaction with each
/// page's ETag — and never the whole board. A total only replaces an older version of itself (see
/// <see cref="BoardPage"/>), so redelivered and repeated awards never count twice. This process serialises its own
/// updates per hunt and keeps the pages it last read or saved, with their JSON text, for reads and to recognise a page
/// read back unchanged (see <see cref="Read"/>); at most <see cref="MaxCachedHunts"/> hunts
/// are kept in memory, past that pages are read from and written to the state store without being kept (a hunt a live
/// page watches is kept up to <see cref="LiveViewerOptions.MaxViewers"/> hunts more).
/// </summary>
public sealed class BoardStore(DaprClient dapr, BoardChanges changes, IOptions<BoardOptions> options, TimeProvider time, ILogger<BoardStore> logger)
{
    public const string StateStore = "statestore";
    private const int MaxAttempts = 10;
    public const int MaxCachedHunts = 10_000;

    /// <summary>
    /// How long pages this process did not write itself may be served from memory before the whole board is read again:
    /// another instance of the leaderboard may have written them. Pages this process saved are always current here.
    /// </summary>
    public static readonly TimeSpan FullReadEvery = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, HuntBoard> _hunts = new(StringComparer.Ordinal);

    public async Task<LeaderboardView> ViewAsync(string huntId, CancellationToken cancellationToken)
    {
        var hunt = Board(huntId);
        if (IsFresh(hunt)) return Rank(huntId, hunt.Pages);
        await hunt.Gate.WaitAsync(cancellationToken);
        try
        {
            if (!IsFresh(hunt)) await ReadAllAsync(huntId, hunt, cancellationToken);
            return Rank(huntId, hunt.Pages);
        }
        finally
        {
            hunt.Gate.Release();
        }
    }

    /// <summary>One outcome per award, in order: applied (or already reflected), to be redelivered, or refused because its page is full.</summary>
    public async Task<AwardOutcome[]> ApplyAsync(string huntId, IReadOnlyList<PointsAwarded> awards, CancellationToken cancellationToken)
    {
        var outcomes = new AwardOutcome[awards.Count];
        if (awards.Count == 0) return outcomes;
        var byPage = awards.Select((award, index) => (award, index)).GroupBy(a => BoardPages.Of(a.award.PlayerId!))
            .ToDictionary(g => g.Key, g => g.ToList());
        var pageOfKey = byPage.Keys.ToDictionary(page => BoardPages.Key(huntId, page), StringComparer.Ordinal);
        var keys = pageOfKey.Keys.ToList();
        var hunt = Board(huntId);
        await hunt.Gate.WaitAsync(cancellationToken);
        try
        {
            if (changes.HasViewers(huntId)) await ShowLiveAsync(huntId, hunt, byPage, awards.Count, cancellationToken);
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                // Read even the pages this process saved last: another instance may have written them since, and the
                // ETag of our own write is not known. A page read back as saved is not parsed again (Read).
                var read = await dapr.GetBulkStateAsync(StateStore, keys, parallelism: keys.Count, cancellationToken: cancellationToken);
                var writes = new List<StateTransactionRequest>();
                var next = new Dictionary<int, (BoardPage Page, byte[]? Text)>();
                foreach (var item in read)
                {
                    var page = pageOfKey[item.Key];
                    var (stored, text) = Read(hunt, huntId, page, item.Value);
                    var changed = Apply(stored, byPage[page], outcomes);
                    if (changed is null)
                    {
                        next[page] = (stored, text);
                        continue;
                    }
                    var bytes = JsonSerializer.SerializeToUtf8Bytes(changed, LeaderboardJson.Default.BoardPage);
                    next[page] = (changed, bytes);
                    // Compare-and-swap on the ETag read, or first-write for a page nobody has written yet: if another
                    // writer came first, the whole transaction fails and nothing of it is written.
                    writes.Add(string.IsNullOrEmpty(item.ETag)
                        ? new StateTransactionRequest(item.Key, bytes, StateOperationType.Upsert, options: FirstWrite)
                        : new StateTransactionRequest(item.Key, bytes, StateOperationType.Upsert, item.ETag));
                }
                if (writes.Count > 0)
                {
                    if (!await TryWriteAsync(writes, cancellationToken))
                    {
                        // A lost race and a store outage answer alike (ERR_STATE_TRANSACTION): back off a little, with jitter, then read again.
                        if (attempt < MaxAttempts) await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10) * attempt), time, cancellationToken);
                        continue;
                    }
                }
                foreach (var (page, (stored, text)) in next) hunt.Hold(page, stored, text);
                return outcomes;
            }
            logger.LogWarning("board pages of hunt {Hunt} kept changing under {Attempts} attempts; the awards will be redelivered", huntId, MaxAttempts);
            Array.Fill(outcomes, AwardOutcome.Retry);
            return outcomes;
        }
        finally
        {
            hunt.Gate.Release();
        }
    }

    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    /// <summary>
    /// The board a new live page is shown first, and from then on every change to it: both under the hunt's gate,
    /// where every change is worked out and published, so none falls between the board and the first change. The
    /// subscription is started here; until then it gets nothing.
    /// </summary>
    public async Task<LeaderboardView> FollowAsync(string huntId, BoardChanges.Subscription viewer, CancellationToken cancellationToken)
    {
        var hunt = Board(huntId);
        await hunt.Gate.WaitAsync(cancellationToken);
        try
        {
            if (!IsFresh(hunt)) await ReadAllAsync(huntId, hunt, cancellationToken);
            // With no page started, what was shown last is stale: the first page starts from the pages held.
            if (!changes.HasViewers(huntId)) hunt.Pages.CopyTo(hunt.Shown, 0);
            viewer.Start();
            return Rank(huntId, hunt.Shown);
        }
        finally
        {
            hunt.Gate.Release();
        }
    }

    /// <summary>
    /// Live pages get a batch's changed totals before its pages are read and saved: the batch is applied, with the same
    /// rules as the save, to the pages as live pages were last shown them (<see cref="HuntBoard.Shown"/>). Every total
    /// is already committed in scoring's ledger (the award carries it with its version), so a change shows nothing that
    /// can be taken back: if the save fails, the awards are redelivered and bring the same totals. The one thing the
    /// shown pages can get wrong is room on a page: when another instance filled a page, a player new to it shows here
    /// and is then dropped (VX3018) by the save; the next full read (<see cref="FullReadEvery"/>) takes the player off
    /// the pages again. A batch that changes nothing shown sends nothing.
    /// </summary>
    private async Task ShowLiveAsync(string huntId, HuntBoard hunt, Dictionary<int, List<(PointsAwarded Award, int Index)>> byPage, int count,
        CancellationToken cancellationToken)
    {
        if (!IsFresh(hunt)) await ReadAllAsync(huntId, hunt, cancellationToken);
        var outcomes = new AwardOutcome[count]; // the save decides the outcomes
        var change = new PageChanges();
        foreach (var (page, awards) in byPage)
        {
            var shown = hunt.Shown[page] ?? BoardPage.Empty(huntId, page);
            if (Apply(shown, awards, outcomes) is not { } next) continue;
            change.Add(shown, next);
            hunt.Shown[page] = next;
        }
        change.PublishTo(changes, huntId);
    }

    /// <summary>
    /// The page with the newer totals, or null when every award was already reflected or refused; fills in each
    /// award's outcome. A player new to the page is added only while the page has room.
    /// </summary>
    private BoardPage? Apply(BoardPage page, List<(PointsAwarded Award, int Index)> awards, AwardOutcome[] outcomes)
    {
        Dictionary<string, PlayerTotal>? players = null;
        foreach (var (award, index) in awards)
        {
            var current = players ?? page.Players;
            outcomes[index] = AwardOutcome.Applied;
            if (current.TryGetValue(award.PlayerId!, out var total))
            {
                if (total.Version >= award.Version) continue; // already reflected, or older than what the page holds
            }
            else if (current.Count >= options.Value.MaxPlayersPerPage)
            {
                outcomes[index] = AwardOutcome.PageFull;
                continue;
            }
            players ??= new Dictionary<string, PlayerTotal>(page.Players, StringComparer.Ordinal);
            players[award.PlayerId!] = new PlayerTotal(award.Total, award.Version);
        }
        return players is null ? null : page with { Players = players };
    }

    private async Task<bool> TryWriteAsync(List<StateTransactionRequest> writes, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.ExecuteStateTransactionAsync(StateStore, writes, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException)
        {
            // Inside a transaction daprd reports a lost compare-and-swap or first-write as a failed transaction
            // (Internal, not Aborted), and nothing of it was written: read again.
            return false;
        }
    }

    /// <summary>
    /// Every page of the board, in one bulk read. With live pages started, what they were shown is brought to what the
    /// store holds, and they are sent the difference: another instance's writes reach them here, at most
    /// <see cref="FullReadEvery"/> late.
    /// </summary>
    private async Task ReadAllAsync(string huntId, HuntBoard hunt, CancellationToken cancellationToken)
    {
        var startedAt = time.GetTimestamp();
        var read = await dapr.GetBulkStateAsync(StateStore, BoardPages.AllKeys(huntId), parallelism: BoardPages.Count, cancellationToken: cancellationToken);
        var live = changes.HasViewers(huntId);
        var change = new PageChanges();
        foreach (var item in read)
        {
            var page = int.Parse(item.Key.AsSpan(item.Key.LastIndexOf(':') + 1), System.Globalization.CultureInfo.InvariantCulture);
            var (stored, text) = Read(hunt, huntId, page, item.Value);
            hunt.Hold(page, stored, text);
            if (!live) continue;
            change.Add(hunt.Shown[page], stored);
            hunt.Shown[page] = stored;
        }
        hunt.FullReadAt = startedAt;
        change.PublishTo(changes, huntId);
    }

    /// <summary>
    /// The page a bulk read returned as <paramref name="json"/>, with its text (UTF-8; null for a page nobody has written).
    /// Most pages a batch reads are exactly what this process saved last — an instance writes the pages of the hunts it
    /// is delivered, and reads them back only for their ETags — so a text equal to the one held is the held page, not
    /// parsed again: parsing the pages a batch touches was most of the leaderboard's JSON work. Equal texts are equal
    /// pages, so this never hides another writer's change: any other text, another instance's write included, is parsed.
    /// </summary>
    private static (BoardPage Page, byte[]? Text) Read(HuntBoard hunt, string huntId, int page, string json)
    {
        if (string.IsNullOrEmpty(json)) return (BoardPage.Empty(huntId, page), null);
        if (hunt.Pages[page] is { } held && hunt.Texts[page] is { } heldText && IsText(json, heldText)) return (held, heldText);
        var text = Encoding.UTF8.GetBytes(json);
        return (JsonSerializer.Deserialize(text, LeaderboardJson.Default.BoardPage) ?? BoardPage.Empty(huntId, page), text);
    }

    /// <summary>Whether <paramref name="json"/> is <paramref name="utf8"/>, byte for byte once encoded (in one pass: a text that does not fit is longer).</summary>
    private static bool IsText(string json, byte[] utf8)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(utf8.Length);
        try
        {
            return Encoding.UTF8.TryGetBytes(json, buffer.AsSpan(0, utf8.Length), out var length)
                && buffer.AsSpan(0, length).SequenceEqual(utf8);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool IsFresh(HuntBoard hunt) => hunt.FullReadAt is not 0 and var at && time.GetElapsedTime(at) < FullReadEvery;

    /// <summary>The board made of <paramref name="pages"/>: what this process holds, or what live pages were shown.</summary>
    private static LeaderboardView Rank(string huntId, BoardPage?[] pages) =>
        Ranking.Rank(huntId, pages.Where(p => p is not null).SelectMany(p => p!.Players));

    /// <summary>
    /// A hunt some live page watches is kept even past <see cref="MaxCachedHunts"/>, so its pages' changes are worked out in
    /// one place, up to <see cref="LiveViewerOptions.MaxViewers"/> more hunts: kept hunts are never dropped, so that is
    /// the bound on the cache. Past it a live page still gets every new total, with the rest of the board sent again.
    /// </summary>
    private HuntBoard Board(string huntId) =>
        _hunts.TryGetValue(huntId, out var hunt) ? hunt
        : _hunts.Count < MaxCachedHunts || (changes.IsWatched(huntId) && _hunts.Count < MaxCachedHunts + changes.Limits.MaxViewers)
            ? _hunts.GetOrAdd(huntId, _ => new HuntBoard())
        : new HuntBoard();

    private sealed class HuntBoard
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Each page as this process last read or saved it (null: never read); replaced whole, never changed in place.</summary>
        public BoardPage?[] Pages { get; } = new BoardPage?[BoardPages.Count];

        /// <summary>The JSON text (UTF-8) each of <see cref="Pages"/> was read or saved as; null where the store had none.</summary>
        public byte[]?[] Texts { get; } = new byte[]?[BoardPages.Count];

        /// <summary>Holds page <paramref name="page"/> as <paramref name="stored"/>, read or saved as <paramref name="text"/>.</summary>
        public void Hold(int page, BoardPage stored, byte[]? text)
        {
            Pages[page] = stored;
            Texts[page] = text;
        }

        /// <summary>
        /// Each page as the started live pages were shown it (the board they were sent first with every change since), under
        /// the gate; kept only while a live page is started. It runs ahead of <see cref="Pages"/> by the batch being saved.
        /// </summary>
        public BoardPage?[] Shown { get; } = new BoardPage?[BoardPages.Count];

        private long _fullReadAt;

        /// <summary>When every page was last read (a <see cref="TimeProvider"/> timestamp), or 0. Read without the gate, so read and written whole.</summary>
        public long FullReadAt
        {
            get => Volatile.Read(ref _fullReadAt);
            set => Volatile.Write(ref _fullReadAt, value);
        }
    }
}
