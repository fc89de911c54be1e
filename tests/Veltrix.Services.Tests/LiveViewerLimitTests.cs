using Microsoft.Extensions.Options;
using Veltrix.Leaderboard.Board;

namespace Veltrix.Services.Tests;

/// <summary>
/// The live page's slots are bounded in all and per client address: one client holding connections open is refused
/// past its share while other clients still get in, and a closed page gives its slot back.
/// </summary>
public sealed class LiveViewerLimitTests
{
    [Fact]
    public void One_client_cannot_take_every_live_page_slot_and_a_closed_page_frees_its_slot()
    {
        var changes = new BoardChanges(Options.Create(new LiveViewerOptions { MaxViewers = 3, MaxViewersPerClient = 2 }));

        using var first = changes.Subscribe("h1", "10.0.0.1", out var refusal);
        Assert.NotNull(first);
        var second = changes.Subscribe("h2", "10.0.0.1", out _);
        Assert.NotNull(second);
        Assert.Null(changes.Subscribe("h1", "10.0.0.1", out refusal));
        Assert.Equal(ViewerRefusal.TooManyFromClient, refusal);

        using var other = changes.Subscribe("h1", "10.0.0.2", out refusal);
        Assert.NotNull(other); // another client still gets in
        Assert.Equal(ViewerRefusal.None, refusal);
        Assert.Null(changes.Subscribe("h1", "10.0.0.3", out refusal));
        Assert.Equal(ViewerRefusal.TooManyViewers, refusal);

        second!.Dispose();
        using var again = changes.Subscribe("h1", "10.0.0.1", out refusal);
        Assert.NotNull(again);
        Assert.Equal(ViewerRefusal.None, refusal);
    }

    [Fact]
    public void A_viewer_gets_its_hunts_changes_once_started_and_only_those()
    {
        var changes = new BoardChanges(Options.Create(new LiveViewerOptions()));
        using var viewer = changes.Subscribe("h1", "10.0.0.1", out _)!;
        changes.Publish(Change("h1", ("alice", 1)));
        Assert.False(viewer.Reader.TryRead(out _)); // not started: its first board is still to be taken
        Assert.False(changes.HasViewers("h1"));

        viewer.Start();
        Assert.True(changes.HasViewers("h1"));
        changes.Publish(Change("h2", ("bob", 2)));
        changes.Publish(Change("h1", ("alice", 3)));
        Assert.True(viewer.Reader.TryRead(out var change));
        Assert.Equal(("h1", "alice", 3L), (change.Change.HuntId, change.Change.Totals[0].PlayerId, change.Change.Totals[0].Points));
        Assert.False(viewer.Reader.TryRead(out _));
    }

    [Fact]
    public void A_page_that_reads_nothing_holds_a_bounded_number_of_changes_and_misses_none()
    {
        var changes = new BoardChanges(Options.Create(new LiveViewerOptions()));
        using var viewer = changes.Subscribe("h1", "10.0.0.1", out _)!;
        viewer.Start();
        var expected = new Dictionary<string, long>();
        for (var i = 1; i <= 1_000; i++)
        {
            // Ten players whose totals keep moving; every 7th change takes one off the board, and a later total brings them back.
            var player = $"p{i % 10}";
            if (i % 7 == 0)
            {
                changes.Publish(new BoardChange("h1", [], [player]));
                expected.Remove(player);
            }
            else
            {
                changes.Publish(Change("h1", (player, i)));
                expected[player] = i;
            }
        }

        var pending = new List<BoardChange>();
        while (viewer.Reader.TryRead(out var change)) pending.Add(change.Change);
        Assert.InRange(pending.Count, 1, BoardChanges.MaxPendingChanges);
        Assert.Equal(expected, LiveBoardTests.Held([], pending));
    }

    private static BoardChange Change(string huntId, params (string Player, long Points)[] totals) =>
        new(huntId, totals.Select(t => new PlayerPoints(t.Player, t.Points)).ToList(), []);
}
