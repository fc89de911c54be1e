using System.Runtime.CompilerServices;
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

        // Server-Sent Events: the current board at once, then every change.
        app.MapGet("/leaderboard/{huntId}/stream", (string huntId, HttpContext context, BoardStore boards, BoardChanges changes, CancellationToken cancellationToken) =>
        {
            if (Ids.Check("huntId", huntId) is { } invalid) return invalid;
            var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            return changes.Subscribe(huntId, client, out var refusal) is { } subscription
                ? TypedResults.ServerSentEvents(StreamAsync(huntId, boards, subscription, cancellationToken), eventType: "leaderboard")
                : Problems.Overloaded(StatusCodes.Status429TooManyRequests, "Too many live pages", refusal == ViewerRefusal.TooManyFromClient
                    ? $"one client may keep at most {changes.Limits.MaxViewersPerClient} live pages open; close one, then reload"
                    : $"the leaderboard serves at most {changes.Limits.MaxViewers} live pages; try again later", retryAfterSeconds: 5);
        });
        return app;
    }

    private static async IAsyncEnumerable<LeaderboardView> StreamAsync(string huntId, BoardStore boards, BoardChanges.Subscription subscription,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            yield return await boards.ViewAsync(huntId, cancellationToken);
            await foreach (var view in subscription.Reader.ReadAllAsync(cancellationToken)) yield return view;
        }
    }
}
