using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Veltrix.Leaderboard.Board;
using Veltrix.Testing;
using static Veltrix.Services.Tests.BoardPagesTests;

namespace Veltrix.Services.Tests;

/// <summary>
/// What a live page of the leaderboard is sent: the board once, when it starts following, then only what each batch of
/// awards changed. Each test runs BoardStore against a real dev sidecar (in-memory state store) and checks what the page
/// would hold against the board read afresh from the store.
/// </summary>
public sealed class LiveBoardTests
{
    private const string Hunt = BoardPagesTests.Hunt;

    [Fact]
    public async Task A_live_page_is_sent_the_board_first_and_then_only_the_totals_each_batch_changed()
    {
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        await NewBoard(system).ApplyAsync(Hunt, [Award("carol", 5, 1)], ct); // before the page opens
        using var page = await FollowAsync(system);
        Assert.Equal([new LeaderboardEntry("carol", 5, 1)], page.First.Entries);

        await page.Board.ApplyAsync(Hunt, [Award("alice", 10, 1), Award("bob", 20, 1)], ct);
        var first = await page.Viewer.Reader.ReadAsync(ct);
        Assert.Equal([new PlayerPoints("alice", 10), new PlayerPoints("bob", 20)], first.Change.Totals.OrderBy(t => t.PlayerId, StringComparer.Ordinal));
        Assert.Empty(first.Change.Removed);

        await page.Board.ApplyAsync(Hunt, [Award("alice", 30, 2)], ct);
        var second = await page.Viewer.Reader.ReadAsync(ct);
        Assert.Equal([new PlayerPoints("alice", 30)], second.Change.Totals); // bob and carol are not sent again
        Assert.Equal("""{"huntId":"h1","totals":[{"playerId":"alice","points":30}],"removed":[]}""", Encoding.UTF8.GetString(second.Json));

        // A redelivered batch changes nothing, and nothing is sent.
        await page.Board.ApplyAsync(Hunt, [Award("alice", 30, 2)], ct);
        Assert.False(page.Viewer.Reader.TryRead(out _));

        Assert.Equal(await StoredTotalsAsync(system), Held(page.First, first, second));
    }

    [Fact]
    public async Task A_live_page_gets_a_batchs_totals_before_the_leaderboard_reads_or_saves_its_pages()
    {
        // The live stream is where a submitted answer ends (the hunt benchmark times submit → stream): the pages' bulk read
        // and their save come after it. Here the read is held back until the change has arrived.
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        using var page = await FollowAsync(system, time: new FakeTimeProvider()); // the full read stays fresh: no read before the change
        await page.Board.ApplyAsync(Hunt, [Award("alice", 10, 1), Award("bob", 20, 1)], ct);
        await page.Viewer.Reader.ReadAsync(ct);
        system.DaprCalls.Clear();

        Task<AwardOutcome[]> applying;
        using (system.DaprCalls.Hold("GetBulkState"))
        {
            applying = page.Board.ApplyAsync(Hunt, [Award("alice", 30, 2)], ct);
            var change = await page.Viewer.Reader.ReadAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);
            Assert.Equal([new PlayerPoints("alice", 30)], change.Change.Totals);
            Assert.DoesNotContain("ExecuteStateTransaction", system.DaprCalls.Methods);
        }
        Assert.All(await applying, o => Assert.Equal(AwardOutcome.Applied, o));
        Assert.Equal(["GetBulkState", "ExecuteStateTransaction"], system.DaprCalls.Methods);
        Assert.Equal(new Dictionary<string, long> { ["alice"] = 30, ["bob"] = 20 }, await StoredTotalsAsync(system));
    }

    [Fact]
    public async Task A_page_that_opens_while_a_batch_is_being_saved_is_shown_that_batch()
    {
        // The first board is taken under the hunt's gate, where batches are applied and changes published: a batch in
        // progress is either in the board or sent after it, never neither.
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var changes = new BoardChanges(Options.Create(new LiveViewerOptions()));
        var board = NewBoard(system, changes: changes, time: new FakeTimeProvider()); // the board read below stays fresh
        await board.ApplyAsync(Hunt, [Award("bob", 20, 1)], ct);
        await board.ViewAsync(Hunt, ct);
        system.DaprCalls.Clear();
        using var viewer = changes.Subscribe(Hunt, "127.0.0.1", out _)!;

        Task<AwardOutcome[]> applying;
        Task<LeaderboardView> following;
        using (system.DaprCalls.Hold("GetBulkState"))
        {
            applying = board.ApplyAsync(Hunt, [Award("alice", 30, 1)], ct);
            await Eventually.UntilAsync(() => system.DaprCalls.Methods.Contains("GetBulkState"), "the batch to read its pages");
            following = board.FollowAsync(Hunt, viewer, ct);
        }
        Assert.All(await applying, o => Assert.Equal(AwardOutcome.Applied, o));
        var sent = new List<LiveChange>();
        var first = await following;
        while (viewer.Reader.TryRead(out var change)) sent.Add(change);

        Assert.Equal(new Dictionary<string, long> { ["alice"] = 30, ["bob"] = 20 }, Held(first, [.. sent]));
    }

    [Fact]
    public async Task Another_instances_writes_reach_a_live_page_at_the_next_full_read()
    {
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        using var page = await FollowAsync(system, time: time);

        await NewBoard(system).ApplyAsync(Hunt, [Award("carol", 50, 1), Award("dave", 40, 1)], ct); // another leaderboard instance
        await page.Board.ApplyAsync(Hunt, [Award("alice", 10, 1)], ct);
        var beforeRead = await page.Viewer.Reader.ReadAsync(ct);
        Assert.Equal([new PlayerPoints("alice", 10)], beforeRead.Change.Totals);

        time.Advance(BoardStore.FullReadEvery);
        await page.Board.ApplyAsync(Hunt, [Award("alice", 20, 2)], ct);
        var sent = new List<LiveChange> { beforeRead };
        while (page.Viewer.Reader.TryRead(out var change)) sent.Add(change);
        Assert.Equal(3, sent.Count); // the full read's difference (carol, dave), then the batch (alice)
        Assert.Equal(await StoredTotalsAsync(system), Held(page.First, [.. sent]));
        Assert.Equal(new Dictionary<string, long> { ["alice"] = 20, ["carol"] = 50, ["dave"] = 40 }, Held(page.First, [.. sent]));
    }

    /// <summary>What a page holds after the first board and the changes, applied as the page's script applies them.</summary>
    private static Dictionary<string, long> Held(LeaderboardView first, params LiveChange[] changes) =>
        Held(first.Entries, changes.Select(c => c.Change));

    /// <summary>What a page holds after a first board of <paramref name="first"/> and the changes, in order.</summary>
    internal static Dictionary<string, long> Held(IEnumerable<LeaderboardEntry> first, IEnumerable<BoardChange> changes)
    {
        var held = first.ToDictionary(e => e.PlayerId, e => e.Points);
        foreach (var change in changes)
        {
            foreach (var total in change.Totals) held[total.PlayerId] = total.Points;
            foreach (var player in change.Removed) held.Remove(player);
        }
        return held;
    }

    /// <summary>Every player's total as a new process reads the board from the store.</summary>
    private static async Task<Dictionary<string, long>> StoredTotalsAsync(ServiceSidecar system) =>
        (await NewBoard(system).ViewAsync(Hunt, TestContext.Current.CancellationToken)).Entries.ToDictionary(e => e.PlayerId, e => e.Points);
}
