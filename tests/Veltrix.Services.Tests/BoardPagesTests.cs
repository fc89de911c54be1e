using System.Text.Json;
using Dapr.AspNetCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Veltrix.Events.Subscribing;
using Veltrix.Leaderboard.Board;
using Veltrix.Leaderboard.Events;
using Veltrix.Testing;

namespace Veltrix.Services.Tests;

/// <summary>
/// Issue 16: the leaderboard kept each hunt's whole board as one state document, read and rewritten for every batch.
/// It is now 32 pages, <c>board:{huntId}:page:{n}</c> by a stable hash of the player id; a batch reads and rewrites
/// only its players' pages (one bulk read, one transaction with ETags), and a page holds a bounded number of players.
/// Each test runs BoardStore against a real dev sidecar (in-memory state store) and looks at the pages through the
/// sidecar's state API.
/// </summary>
public sealed class BoardPagesTests
{
    internal const string Hunt = "h1";
    private static readonly IReadOnlyList<string> PageKeys = Enumerable.Range(0, 32).Select(n => $"board:{Hunt}:page:{n}").ToList();

    [Fact]
    public async Task A_batch_for_two_players_rewrites_their_pages_and_no_other()
    {
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var board = NewBoard(system);
        var players = Enumerable.Range(0, 300).Select(i => $"player-{i:D3}").ToList();
        Assert.All(await board.ApplyAsync(Hunt, players.Select((p, i) => Award(p, total: i + 1, version: 1)).ToList(), ct), o => Assert.Equal(AwardOutcome.Applied, o));

        var before = await PagesAsync(system);
        Assert.Equal(32, before.Count); // 300 players fill every page
        var holder = before.SelectMany(page => page.Value.Players.Keys.Select(p => (Player: p, Page: page.Key))).ToDictionary(p => p.Player, p => p.Page);
        Assert.Equal(players.Order(StringComparer.Ordinal), holder.Keys.Order(StringComparer.Ordinal)); // each player on exactly one page

        Assert.All(await board.ApplyAsync(Hunt, [Award("player-007", 1_000, 2), Award("player-123", 2_000, 2)], ct), o => Assert.Equal(AwardOutcome.Applied, o));

        var after = await PagesAsync(system);
        var rewritten = PageKeys.Where(key => after[key].ETag != before[key].ETag).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { holder["player-007"], holder["player-123"] }.Distinct().Order(StringComparer.Ordinal), rewritten);
        Assert.All(PageKeys.Except(rewritten), key => Assert.Equal(before[key].Players, after[key].Players));
        Assert.Contains(("player-007", 1_000L), (await NewBoard(system).ViewAsync(Hunt, ct)).Entries.Select(e => (e.PlayerId, e.Points)));
    }

    [Fact]
    public async Task A_players_page_is_the_same_in_every_process()
    {
        // SHA-256("alice") begins 0x2bd806c9 (735,577,801 mod 32 = 9), SHA-256("bob") 0x81b637d8 (2,176,202,712 mod 32 = 24), by python's
        // hashlib). A per-process hash (string.GetHashCode) would put them elsewhere in another run.
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        await NewBoard(system).ApplyAsync(Hunt, [Award("alice", 10, 1), Award("bob", 20, 1)], ct);

        var pages = await PagesAsync(system);
        Assert.Equal(["alice"], pages[$"board:{Hunt}:page:9"].Players.Keys);
        Assert.Equal(["bob"], pages[$"board:{Hunt}:page:24"].Players.Keys);
        Assert.Equal(2, pages.Count);
    }

    [Fact]
    public async Task Redelivered_and_older_awards_never_count_twice_and_write_nothing()
    {
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var board = NewBoard(system);
        await board.ApplyAsync(Hunt, [Award("alice", 30, 2), Award("bob", 5, 1)], ct);
        var before = await PagesAsync(system);

        // The same award again, twice in one batch, and an older one: all already reflected, so nothing is written.
        Assert.All(await board.ApplyAsync(Hunt, [Award("alice", 10, 1), Award("alice", 30, 2), Award("alice", 30, 2), Award("bob", 5, 1)], ct),
            o => Assert.Equal(AwardOutcome.Applied, o));
        var after = await PagesAsync(system);
        Assert.All(PageKeys.Where(before.ContainsKey), key => Assert.Equal(before[key].ETag, after[key].ETag));

        // A newer total replaces the old one once, however often it comes; an older one after it changes nothing.
        await board.ApplyAsync(Hunt, [Award("alice", 45, 3), Award("alice", 45, 3), Award("alice", 30, 2)], ct);
        await board.ApplyAsync(Hunt, [Award("alice", 45, 3), Award("alice", 10, 1)], ct);

        Assert.Equal([new LeaderboardEntry("alice", 45, 1), new LeaderboardEntry("bob", 5, 2)], (await board.ViewAsync(Hunt, ct)).Entries);
        Assert.Equal([new LeaderboardEntry("alice", 45, 1), new LeaderboardEntry("bob", 5, 2)], (await NewBoard(system).ViewAsync(Hunt, ct)).Entries);
    }

    [Fact]
    public async Task Five_thousand_players_end_up_on_the_board_with_exact_totals()
    {
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var board = NewBoard(system);
        var players = Enumerable.Range(0, 5_000).Select(i => (Id: $"p{i:D4}", First: 7L * i + 3, Second: 7L * i + 1_000_000)).ToList();
        // Batches of 500, as a bulk delivery brings them; every other player gets a second, newer total later.
        foreach (var batch in players.Chunk(500))
            Assert.All(await board.ApplyAsync(Hunt, batch.Select(p => Award(p.Id, p.First, 1)).ToList(), ct), o => Assert.Equal(AwardOutcome.Applied, o));
        foreach (var batch in players.Where((_, i) => i % 2 == 0).Chunk(500))
            Assert.All(await board.ApplyAsync(Hunt, batch.Select(p => Award(p.Id, p.Second, 2)).ToList(), ct), o => Assert.Equal(AwardOutcome.Applied, o));

        var expected = players.Select((p, i) => (p.Id, Points: i % 2 == 0 ? p.Second : p.First)).ToDictionary(p => p.Id, p => p.Points);
        var view = await NewBoard(system).ViewAsync(Hunt, ct); // a new process: every page from the store
        Assert.Equal(5_000, view.Entries.Count);
        Assert.Equal(expected, view.Entries.ToDictionary(e => e.PlayerId, e => e.Points));
        Assert.Equal(("p4998", 1L), (view.Entries[0].PlayerId, (long)view.Entries[0].Rank)); // 7 × 4998 + 1,000,000, the highest
        Assert.Equal(5_000, (await PagesAsync(system)).Values.Sum(p => p.Players.Count));
    }

    [Fact]
    public async Task Two_instances_updating_one_hunt_at_once_lose_no_update()
    {
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var shared = Enumerable.Range(0, 64).Select(i => $"shared-{i:D2}").ToList();

        // Both instances write the same 64 players (all 32 pages) in every batch: one the odd versions, the other the
        // even ones, each also adding players of its own. A write that does not compare ETags would put an older
        // total back over a newer one, or drop the other instance's new players.
        async Task RunAsync(BoardStore board, string own, int parity)
        {
            for (var version = parity; version <= 20; version += 2)
            {
                var batch = shared.Select((p, i) => Award(p, Total(i, version), version))
                    .Concat(Enumerable.Range(0, 10).Select(i => Award($"{own}-{version:D2}-{i}", version * 100 + i, 1))).ToList();
                // RETRY is what the broker redelivers: apply the same batch again, as it would.
                while ((await board.ApplyAsync(Hunt, batch, ct)).Any(o => o == AwardOutcome.Retry)) { }
            }
        }
        await Task.WhenAll(Task.Run(() => RunAsync(NewBoard(system), "a", 1), ct), Task.Run(() => RunAsync(NewBoard(system), "b", 2), ct));

        var view = (await NewBoard(system).ViewAsync(Hunt, ct)).Entries.ToDictionary(e => e.PlayerId, e => e.Points);
        Assert.Equal(64 + 2 * 10 * 10, view.Count);
        Assert.All(shared.Select((p, i) => (p, i)), s => Assert.Equal(Total(s.i, 20), view[s.p]));
        foreach (var (own, parity) in new[] { ("a", 1), ("b", 2) })
            for (var version = parity; version <= 20; version += 2)
                for (var i = 0; i < 10; i++)
                    Assert.Equal(version * 100 + i, view[$"{own}-{version:D2}-{i}"]);

        static long Total(int player, int version) => player * 1_000 + version;
    }

    [Fact]
    public async Task Another_instances_writes_reach_a_board_this_process_has_cached()
    {
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var reader = NewBoard(system);
        var writer = NewBoard(system);
        await writer.ApplyAsync(Hunt, [Award("alice", 10, 1)], ct);
        Assert.Equal([new LeaderboardEntry("alice", 10, 1)], (await reader.ViewAsync(Hunt, ct)).Entries); // now cached by the reader

        await writer.ApplyAsync(Hunt, [Award("alice", 15, 2), Award("bob", 20, 1)], ct);
        await Eventually.UntilAsync(async () => (await reader.ViewAsync(Hunt, ct)).Entries.SequenceEqual([new LeaderboardEntry("bob", 20, 1), new LeaderboardEntry("alice", 15, 2)]),
            "the reader to show the writer's totals");
    }

    [Fact]
    public async Task A_page_another_instance_saved_since_this_one_did_is_parsed_again_not_taken_from_memory()
    {
        // An instance does not parse a page it reads back exactly as it saved it (BoardStore.Read). Here the page it
        // saved is rewritten by another instance in between: taking the held copy with the new ETag would drop the
        // other instance's player.
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var page = BoardPages.Of("alice");
        var neighbour = Enumerable.Range(0, 1_000).Select(i => $"p{i}").First(p => BoardPages.Of(p) == page);
        var first = NewBoard(system);
        var second = NewBoard(system);

        await first.ApplyAsync(Hunt, [Award("alice", 10, 1)], ct);
        await second.ApplyAsync(Hunt, [Award(neighbour, 20, 1)], ct);
        Assert.All(await first.ApplyAsync(Hunt, [Award("alice", 30, 2)], ct), o => Assert.Equal(AwardOutcome.Applied, o));

        Assert.Equal(new Dictionary<string, long> { ["alice"] = 30, [neighbour] = 20 }, (await PagesAsync(system))[$"board:{Hunt}:page:{page}"].Players);
    }

    [Fact]
    public async Task A_player_new_to_a_full_page_is_dropped_with_VX3018_while_players_on_it_keep_being_updated()
    {
        await using var system = await ServiceSidecar.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        using var page = await FollowAsync(system, maxPlayersPerPage: 2);
        var board = page.Board;
        var players = Enumerable.Range(0, 100).Select(i => $"p{i:D3}").ToList();

        var statuses = await LeaderboardSubscriptions.HandleAwardsAsync(players.Select((p, i) => Event(Award(p, i + 1, 1))).ToList(), board,
            NullLogger<BoardStore>.Instance, ct);

        var pages = await PagesAsync(system);
        Assert.All(pages.Values, page => Assert.InRange(page.Players.Count, 1, 2));
        var kept = players.Where((_, i) => statuses[i] == BulkSubscribeAppResponseStatus.SUCCESS).ToList();
        var dropped = players.Where((_, i) => statuses[i] == BulkSubscribeAppResponseStatus.DROP).ToList();
        Assert.Equal(100, kept.Count + dropped.Count); // nothing to redeliver
        Assert.NotEmpty(dropped); // 100 players over 32 pages of 2
        Assert.Equal(kept.Order(StringComparer.Ordinal), pages.Values.SelectMany(p => p.Players.Keys).Order(StringComparer.Ordinal));
        // The live page, shown before the save, applied the same room rule: it showed the kept players and no other.
        Assert.True(page.Viewer.Reader.TryRead(out var live));
        Assert.Equal(kept.Order(StringComparer.Ordinal), live.Change.Totals.Select(e => e.PlayerId).Order(StringComparer.Ordinal));

        // A kept player's newer total still lands on its full page; a dropped player is dropped again.
        var again = await LeaderboardSubscriptions.HandleAwardsAsync([Event(Award(kept[0], 5_000, 2)), Event(Award(dropped[0], 6_000, 2))], board,
            NullLogger<BoardStore>.Instance, ct);
        Assert.Equal([BulkSubscribeAppResponseStatus.SUCCESS, BulkSubscribeAppResponseStatus.DROP], again);
        var view = (await NewBoard(system).ViewAsync(Hunt, ct)).Entries;
        Assert.Equal((kept[0], 5_000L, 1), (view[0].PlayerId, view[0].Points, view[0].Rank));
        Assert.DoesNotContain(view, e => e.PlayerId == dropped[0]);
    }

    /// <summary>A live page of <see cref="Hunt"/> on a new board: subscribed and started, as the stream does, with the board it was shown first.</summary>
    internal static async Task<LivePage> FollowAsync(ServiceSidecar system, int maxPlayersPerPage = 500, TimeProvider? time = null)
    {
        var changes = new BoardChanges(Options.Create(new LiveViewerOptions()));
        var board = NewBoard(system, maxPlayersPerPage, changes, time);
        var viewer = changes.Subscribe(Hunt, "127.0.0.1", out _)!;
        return new LivePage(board, viewer, await board.FollowAsync(Hunt, viewer, TestContext.Current.CancellationToken));
    }

    internal sealed record LivePage(BoardStore Board, BoardChanges.Subscription Viewer, LeaderboardView First) : IDisposable
    {
        public void Dispose() => Viewer.Dispose();
    }

    internal static BoardStore NewBoard(ServiceSidecar system, int maxPlayersPerPage = 500, BoardChanges? changes = null, TimeProvider? time = null) =>
        new(system.Dapr, changes ?? new BoardChanges(Options.Create(new LiveViewerOptions())), Options.Create(new BoardOptions { MaxPlayersPerPage = maxPlayersPerPage }),
            time ?? TimeProvider.System, NullLogger<BoardStore>.Instance);

    internal static PointsAwarded Award(string player, long total, long version) => new(Hunt, player, "p1", 1, total, version);

    private static IncomingEvent<PointsAwarded> Event(PointsAwarded award) =>
        new($"entry-{award.PlayerId}-{award.Version}", $"awarded:{award.HuntId}:{award.PuzzleId}:{award.PlayerId}", award);

    /// <summary>The pages that exist, by key, as the sidecar's state API returns them: ETag and each player's points.</summary>
    private static async Task<Dictionary<string, (string ETag, Dictionary<string, long> Players)>> PagesAsync(ServiceSidecar system)
    {
        var items = await system.Dapr.GetBulkStateAsync("statestore", PageKeys, parallelism: 32, cancellationToken: TestContext.Current.CancellationToken);
        return items.Where(item => !string.IsNullOrEmpty(item.Value)).ToDictionary(item => item.Key, item =>
        {
            using var page = JsonDocument.Parse(item.Value);
            var players = page.RootElement.GetProperty("players").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("points").GetInt64());
            return (item.ETag, players);
        });
    }
}
