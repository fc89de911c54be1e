using Dapr.Workflow;
using Veltrix.Prizes.Claims;

namespace Veltrix.Prizes.Claims.Activities;

/// <summary>
/// Compensation of <see cref="DebitPointsActivity"/>: scoring refunds the claim's debit if it was applied, or records
/// it as cancelled so that a debit still on its way takes nothing. Idempotent on the debit id at scoring.
/// </summary>
public sealed class RefundPointsActivity(ScoringDebits scoring) : WorkflowActivity<PointsDebit, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, PointsDebit debit)
    {
        await scoring.CancelAsync(debit, context.InstanceId, CancellationToken.None);
        ClaimMetrics.Compensated(nameof(RefundPointsActivity));
        return true;
    }
}
