using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Veltrix.Leaderboard.Board;
using Veltrix.Leaderboard.Claims;
using Veltrix.ServiceDefaults;

namespace Veltrix.Leaderboard.Apis;

public static class LeaderboardApi
{
    public static IEndpointRouteBuilder MapLeaderboardApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/leaderboard/{huntId}", async (string huntId, BoardStore boards, CancellationToken cancellationToken) =>
            Ids.Check("huntId", huntId) ?? TypedResults.Ok(await boards.ViewAsync(huntId, cancellationToken)));

        app.MapGet("/leaderboard/{huntId}/claims", async (string huntId, RecentClaims claims, CancellationToken cancellationToken) =>
            Ids.Check("huntId", huntId) ?? TypedResults.Ok(await claims.ListAsync(huntId, cancellationToken)));

        // Server-Sent Events: the current board at once, then what each batch changed.
        app.MapGet("/leaderboard/{huntId}/stream", (string huntId, HttpContext context, BoardStore boards, BoardChanges changes, CancellationToken cancellationToken) =>
        {
            if (Ids.Check("huntId", huntId) is { } invalid) return invalid;
            var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            return changes.Subscribe(huntId, client, out var refusal) is { } subscription
                ? TypedResults.ServerSentEvents(StreamAsync(huntId, boards, subscription, cancellationToken))
                : Problems.Overloaded(StatusCodes.Status429TooManyRequests, "Too many live pages", refusal == ViewerRefusal.TooManyFromClient
                    ? $"one client may keep at most {changes.Limits.MaxViewersPerClient} live pages open; close one, then reload"
                    : $"the leaderboard serves at most {changes.Limits.MaxViewers} live pages; try again later", retryAfterSeconds: 5);
        });
        return app;
    }

    /// <summary>The board first (event <c>leaderboard</c>), then what changed, batch by batch (event <c>changes</c>); each change's JSON is written once for every page.</summary>
    private static async IAsyncEnumerable<SseItem<byte[]>> StreamAsync(string huntId, BoardStore boards, BoardChanges.Subscription subscription,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            var board = await boards.FollowAsync(huntId, subscription, cancellationToken);
            yield return new SseItem<byte[]>(JsonSerializer.SerializeToUtf8Bytes(board, LeaderboardJson.Default.LeaderboardView), "leaderboard");
            await foreach (var change in subscription.Reader.ReadAllAsync(cancellationToken)) yield return new SseItem<byte[]>(change.Json, "changes");
        }
    }
}
