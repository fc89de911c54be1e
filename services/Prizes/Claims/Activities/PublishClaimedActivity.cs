using Dapr.Workflow;
using Veltrix.Events.Publishing;
using Veltrix.Prizes.Events;

namespace Veltrix.Prizes.Claims.Activities;

/// <summary>
/// Publishes <c>prize.claimed</c> with the CloudEvent id <c>claimed:{claimId}</c>: a second run publishes the same
/// event again, which the leaderboard recognises by its id.
/// </summary>
public sealed class PublishClaimedActivity(EventPublisher events) : WorkflowActivity<ClaimedPrize, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, ClaimedPrize claimed)
    {
        await events.PublishOneAsync(EventTypes.PrizeClaimed, "claimed:" + context.InstanceId,
            new PrizeClaimed(context.InstanceId, claimed.PrizeId, claimed.PlayerId, claimed.HuntId, claimed.Cost, claimed.Voucher),
            PrizesJson.Default.RoutedEventPrizeClaimed, CancellationToken.None);
        return true;
    }
}
