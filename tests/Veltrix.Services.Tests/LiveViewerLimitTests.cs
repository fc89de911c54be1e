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
    public void A_viewer_gets_its_hunts_changes_and_only_those()
    {
        var changes = new BoardChanges(Options.Create(new LiveViewerOptions()));
        using var viewer = changes.Subscribe("h1", "10.0.0.1", out _)!;
        changes.Publish(new LeaderboardView("h2", []));
        changes.Publish(new LeaderboardView("h1", []));
        Assert.True(viewer.Reader.TryRead(out var view));
        Assert.Equal("h1", view.HuntId);
        Assert.False(viewer.Reader.TryRead(out _));
    }
}
