using Veltrix.Dapr.AspNetCore;
using Veltrix.Leaderboard.Board;
using Veltrix.Leaderboard.Claims;

namespace Veltrix.Leaderboard.Events;

/// <summary>Everything the leaderboard subscribes to, in one place.</summary>
public static class LeaderboardSubscriptions
{
    /// <summary>Routes, topics, dead-letter topics and bulk settings come from the event configuration (events/).</summary>
    public static IEndpointRouteBuilder MapLeaderboardSubscriptions(this WebApplication app) =>
        app.MapEventSubscriptions(events => events
            .Handle(EventTypes.PointsAwarded, HandleAwardsAsync)
            .Handle(EventTypes.PrizeClaimed, HandleClaimAsync));

    /// <summary>A claim is recorded once per claim id; one that cannot be saved is asked for again.</summary>
    private static async Task<IResult> HandleClaimAsync(PrizeClaimed claim, RecentClaims claims, ILogger<RecentClaims> logger, CancellationToken cancellationToken)
    {
        if (claim is not { ClaimId.Length: > 0, HuntId.Length: > 0, PlayerId.Length: > 0, PrizeId.Length: > 0 })
        {
            logger.LogWarning("prize.claimed {ClaimId} is incomplete and is dropped", claim.ClaimId);
            return TopicResults.Drop();
        }
        return await claims.RecordAsync(claim, cancellationToken) ? TopicResults.Success() : TopicResults.Retry();
    }

    /// <summary>One board update per hunt in the batch; an update that cannot be saved asks for redelivery.</summary>
    private static async Task<IResult> HandleAwardsAsync(BulkSubscribeMessage<PointsAwarded> batch, BoardStore boards, ILogger<BoardStore> logger,
        CancellationToken cancellationToken)
    {
        var statuses = new BulkSubscribeAppResponseEntry[batch.Entries.Count];
        var hunts = new Dictionary<string, List<(int Index, PointsAwarded Award)>>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Entries.Count; i++)
        {
            var entry = batch.Entries[i];
            if (entry.Data is { HuntId.Length: > 0, PlayerId.Length: > 0, PuzzleId.Length: > 0, Points: not 0, Version: > 0 } award)
            {
                if (!hunts.TryGetValue(award.HuntId, out var list)) hunts[award.HuntId] = list = [];
                list.Add((i, award));
            }
            else
            {
                logger.LogWarning("points.awarded {EntryId} is incomplete and is dropped: {Error}", entry.EntryId, entry.DataError ?? "missing fields");
                statuses[i] = new BulkSubscribeAppResponseEntry(entry.EntryId, BulkSubscribeAppResponseStatus.DROP);
            }
        }
        await Task.WhenAll(hunts.Select(async hunt =>
        {
            var saved = await boards.ApplyAsync(hunt.Key, hunt.Value.Select(h => h.Award).ToList(), cancellationToken);
            foreach (var (index, _) in hunt.Value)
                statuses[index] = new BulkSubscribeAppResponseEntry(batch.Entries[index].EntryId,
                    saved ? BulkSubscribeAppResponseStatus.SUCCESS : BulkSubscribeAppResponseStatus.RETRY);
        }));
        return TopicResults.Bulk(statuses);
    }
}
