using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Veltrix.Hunt.Apis;
using Veltrix.Leaderboard.Board;
using Veltrix.Scoring.Ledger;
using Veltrix.Testing;
using ScoringSolve = Veltrix.Scoring.Events.PuzzleSolved;

namespace Veltrix.Services.Tests;

/// <summary>Issue 16: a player's total overflowed 32 bits. Totals are 64-bit; one puzzle is worth 1 … 1,000,000 points.</summary>
public sealed class PointsAreSixtyFourBitTests
{
    [Fact]
    public async Task A_total_past_two_to_the_31_is_kept_published_and_ranked_exactly()
    {
        await using var system = await ServiceSidecar.StartAsync();
        // A ledger as the 32-bit scoring wrote it, one puzzle short of int.MaxValue: it still reads.
        const long before = int.MaxValue - 500_000;
        await system.Dapr.SaveByteStateAsync("statestore", "ledger:h1:alice",
            Encoding.UTF8.GetBytes($$"""{"huntId":"h1","playerId":"alice","points":{{before}},"version":7,"awards":7}"""),
            cancellationToken: TestContext.Current.CancellationToken);

        var solves = Enumerable.Range(1, 3).Select(i => ($"solved:h1:p{i}:alice", new ScoringSolve("h1", $"p{i}", "alice", 1_000_000, DateTimeOffset.UnixEpoch))).ToList();
        Assert.All(await system.Ledgers.ApplyAsync(solves, TestContext.Current.CancellationToken), o => Assert.Equal(SolveOutcome.Awarded, o));

        const long expected = before + 3_000_000; // 2,150,483,647
        var ledger = await system.Ledgers.FindAsync("h1", "alice", TestContext.Current.CancellationToken);
        Assert.Equal((expected, 10L), (ledger!.Points, ledger.Version));

        // The last points.awarded carries the exact total, and the board ranks it above a player who has less.
        await Eventually.UntilAsync(() => system.Delivered(ServiceSidecar.AwardedRoute).Count == 3, "three points.awarded are delivered");
        var newest = system.Delivered(ServiceSidecar.AwardedRoute).Select(e => e.GetProperty("data")).MaxBy(d => d.GetProperty("version").GetInt64());
        Assert.Equal(expected, newest.GetProperty("total").GetInt64());
        var board = new Dictionary<string, PlayerTotal>(StringComparer.Ordinal)
        {
            ["alice"] = new PlayerTotal(newest.GetProperty("total").GetInt64(), newest.GetProperty("version").GetInt64()),
            ["bob"] = new PlayerTotal(int.MaxValue, 3),
        };
        Assert.Equal([new LeaderboardEntry("alice", expected, 1), new LeaderboardEntry("bob", int.MaxValue, 2)], Ranking.Rank("h1", board).Entries);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(1_000_001L)]
    [InlineData(3_000_000_000L)]
    public void A_puzzle_worth_less_than_1_or_more_than_1000000_points_is_refused_with_VX3002_naming_points(long points)
    {
        var result = HuntApi.Validate(new CreateHuntRequest("harbour", [new CreatePuzzle("q", "a", 5), new CreatePuzzle("q", "a", points)]));

        var problem = Assert.IsAssignableFrom<IValueHttpResult<ProblemDetails>>(result).Value!;
        Assert.Equal(StatusCodes.Status400BadRequest, problem.Status);
        Assert.Equal(("VX3002", "puzzles[1].points"), (problem.Extensions["code"], problem.Extensions["field"]));
        Assert.Contains("1 to 1000000", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(1_000_000L)]
    public void The_bounds_themselves_are_accepted(long points) =>
        Assert.Null(HuntApi.Validate(new CreateHuntRequest("harbour", [new CreatePuzzle("q", "a", points)])));
}
