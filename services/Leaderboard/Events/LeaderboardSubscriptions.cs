using Dapr.AspNetCore;
using Veltrix.Events.Subscribing;
using Veltrix.Leaderboard.Board;
using Veltrix.Leaderboard.Claims;
using Veltrix.ServiceDefaults;

namespace Veltrix.Leaderboard.Events;

/// <summary>Everything the leaderboard subscribes to, in one place.</summary>
public static class LeaderboardSubscriptions
{
    /// <summary>Routes, topics, dead-letter topics and bulk settings come from the event configuration (events/).</summary>
    public static IEndpointRouteBuilder MapLeaderboardSubscriptions(this WebApplication app) =>
        app.MapEventSubscriptions(events => events
            .Handle<PointsAwarded>(EventTypes.PointsAwarded, HandleAwardsAsync)
            .Handle<PrizeClaimed>(EventTypes.PrizeClaimed, HandleClaimsAsync));

    /// <summary>A claim is recorded once per claim id (a redelivery finds it listed); one that cannot be saved is asked for again.</summary>
    private static async Task<BulkSubscribeAppResponseStatus[]> HandleClaimsAsync(IReadOnlyList<IncomingEvent<PrizeClaimed>> batch, RecentClaims claims,
        ILogger<RecentClaims> logger, CancellationToken cancellationToken)
    {
        var statuses = new BulkSubscribeAppResponseStatus[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var claim = batch[i].Data;
            if (claim is not { ClaimId.Length: > 0, PrizeId.Length: > 0 } || !Ids.IsValid(claim.HuntId) || !Ids.IsValid(claim.PlayerId))
            {
                logger.LogWarning("prize.claimed {EventId} is incomplete or has an invalid id and is dropped", Ids.Printable(batch[i].Id));
                statuses[i] = BulkSubscribeAppResponseStatus.DROP;
                continue;
            }
            statuses[i] = await claims.RecordAsync(claim, cancellationToken) ? BulkSubscribeAppResponseStatus.SUCCESS : BulkSubscribeAppResponseStatus.RETRY;
        }
        return statuses;
    }

    /// <summary>
    /// One board update per hunt in the batch; an update that cannot be saved asks for redelivery. Idempotent: the board
    /// keeps each player's total with its ledger version, and an award not newer than what it holds changes nothing. An
    /// award for a player new to a full page of the board is dropped (dead-letter topic, VX3018): redelivering it would
    /// find the page as full.
    /// </summary>
    internal static async Task<BulkSubscribeAppResponseStatus[]> HandleAwardsAsync(IReadOnlyList<IncomingEvent<PointsAwarded>> batch, BoardStore boards,
        ILogger<BoardStore> logger, CancellationToken cancellationToken)
    {
        var statuses = new BulkSubscribeAppResponseStatus[batch.Count];
        var hunts = new Dictionary<string, List<(int Index, PointsAwarded Award)>>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].Data is { Points: not 0, Version: > 0 } award && Ids.IsValid(award.HuntId) && Ids.IsValid(award.PlayerId) && Ids.IsValid(award.PuzzleId))
            {
                if (!hunts.TryGetValue(award.HuntId, out var list)) hunts[award.HuntId] = list = [];
                list.Add((i, award));
            }
            else
            {
                logger.LogWarning("points.awarded {EventId} is incomplete or has an invalid id and is dropped", Ids.Printable(batch[i].Id));
                statuses[i] = BulkSubscribeAppResponseStatus.DROP;
            }
        }
        await Task.WhenAll(hunts.Select(async hunt =>
        {
            var outcomes = await boards.ApplyAsync(hunt.Key, hunt.Value.Select(h => h.Award).ToList(), cancellationToken);
            for (var j = 0; j < outcomes.Length; j++)
            {
                var (index, award) = hunt.Value[j];
                statuses[index] = outcomes[j] switch
                {
                    AwardOutcome.Applied => BulkSubscribeAppResponseStatus.SUCCESS,
                    AwardOutcome.PageFull => BulkSubscribeAppResponseStatus.DROP,
                    _ => BulkSubscribeAppResponseStatus.RETRY,
                };
                if (outcomes[j] == AwardOutcome.PageFull)
                    logger.LogWarning("{Code}: points.awarded {EventId} is dropped: player {Player} is new to page {Page} of hunt {Hunt}'s board, which holds the most players a page may hold (Leaderboard:MaxPlayersPerPage)",
                        ServiceErrorCodes.BoardPageFull, Ids.Printable(batch[index].Id), Ids.Printable(award.PlayerId), BoardPages.Of(award.PlayerId!), Ids.Printable(hunt.Key));
            }
        }));
        return statuses;
    }
}
