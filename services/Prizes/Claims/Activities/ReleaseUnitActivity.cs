using Dapr.Workflow;
using Veltrix.Prizes.Domain;

namespace Veltrix.Prizes.Claims.Activities;

/// <summary>
/// Compensation of <see cref="ReserveUnitActivity"/>: puts the claim's unit back. Idempotent: the reservation is marked
/// released in the same transaction that returns the unit, so a second run gives nothing more back.
/// </summary>
public sealed class ReleaseUnitActivity(PrizeStore prizes) : WorkflowActivity<ClaimInput, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, ClaimInput claim)
    {
        if (!await prizes.ReleaseAsync(claim.PrizeId, context.InstanceId, CancellationToken.None))
            throw new IOException($"the stock of prize '{claim.PrizeId}' kept changing; trying the release again");
        ClaimMetrics.Compensated(nameof(ReleaseUnitActivity));
        return true;
    }
}
