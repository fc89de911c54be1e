using Dapr.Workflow;
using Veltrix.Prizes.Claims;

namespace Veltrix.Prizes.Claims.Activities;

/// <summary>
/// Asks scoring to debit the claim's cost, with the claim id as the debit id: scoring records its decision per debit
/// id, so a second run gets the same answer and takes nothing more. "Too few points" is an answer (the claim
/// compensates); scoring unreachable or failing throws, for the retry policy.
/// </summary>
public sealed class DebitPointsActivity(ScoringDebits scoring) : WorkflowActivity<PointsDebit, DebitDecision>
{
    public override Task<DebitDecision> RunAsync(WorkflowActivityContext context, PointsDebit debit) =>
        scoring.DebitAsync(debit, context.InstanceId, CancellationToken.None);
}
