using Dapr.Workflow;
using Veltrix.Prizes.Claims.Activities;
using Veltrix.Prizes.Domain;

namespace Veltrix.Prizes.Claims;

/// <summary>
/// A prize claim: reserve a unit → debit the cost at scoring → issue a voucher → publish <c>prize.claimed</c>. A
/// permanent failure after the reservation undoes what was done, newest first (refund or block the debit, release the
/// unit). Every activity is idempotent on the claim id, so the at-least-once execution of activities (a crash after an
/// activity ran but before its result was recorded runs it again) never takes a second unit or a second debit.
/// </summary>
public sealed class ClaimWorkflow : Workflow<ClaimInput, ClaimOutcome>
{
    /// <summary>Stock and voucher writes: a short contention or a sidecar restart passes within seconds.</summary>
    private static readonly WorkflowTaskOptions StoreRetry = new(new WorkflowRetryPolicy(5, TimeSpan.FromMilliseconds(200), 2.0, TimeSpan.FromSeconds(5)));

    /// <summary>Calls to scoring: long enough to ride out a restart of scoring.</summary>
    private static readonly WorkflowTaskOptions ScoringRetry = new(new WorkflowRetryPolicy(10, TimeSpan.FromMilliseconds(500), 2.0, TimeSpan.FromSeconds(5)));

    /// <summary>Undo steps and the final publish must not give up early: the claim is half-done until they succeed.</summary>
    private static readonly WorkflowTaskOptions PersistentRetry = new(new WorkflowRetryPolicy(20, TimeSpan.FromMilliseconds(500), 2.0, TimeSpan.FromSeconds(5)));

    public override async Task<ClaimOutcome> RunAsync(WorkflowContext context, ClaimInput claim)
    {
        var undo = new Compensations(context, PersistentRetry);

        var unit = await context.CallActivityAsync<UnitReservation>(nameof(ReserveUnitActivity), claim, StoreRetry);
        if (!unit.Reserved) return Ended(context, ClaimOutcome.Failed(unit.FailureCode!, unit.Failure!));
        undo.Add(nameof(ReleaseUnitActivity), claim);
        context.SetCustomStatus("unit reserved");

        var debit = new PointsDebit(claim.HuntId, claim.PlayerId, unit.Cost);
        // Registered before the call: if the debit activity fails for good, scoring may or may not have applied it, and
        // the refund answers both (it gives back an applied debit and blocks one that has not arrived yet).
        undo.Add(nameof(RefundPointsActivity), debit);
        DebitDecision decision;
        try
        {
            decision = await context.CallActivityAsync<DebitDecision>(nameof(DebitPointsActivity), debit, ScoringRetry);
        }
        catch (WorkflowTaskFailedException e)
        {
            return await UndoAsync(context, undo, PrizeErrorCodes.ScoringUnavailable, $"scoring could not debit the points: {e.FailureDetails.ErrorMessage}");
        }
        if (!decision.Debited) return await UndoAsync(context, undo, decision.FailureCode!, decision.Failure!);
        context.SetCustomStatus("points debited");

        string voucher;
        try
        {
            voucher = await context.CallActivityAsync<string>(nameof(IssueVoucherActivity), claim, StoreRetry);
        }
        catch (WorkflowTaskFailedException e)
        {
            return await UndoAsync(context, undo, PrizeErrorCodes.VoucherUnavailable, $"the voucher could not be issued: {e.FailureDetails.ErrorMessage}");
        }
        context.SetCustomStatus("voucher issued");

        // The player has paid and holds a voucher: from here the claim only moves forward.
        await context.CallActivityAsync(nameof(PublishClaimedActivity), new ClaimedPrize(claim.PrizeId, claim.PlayerId, claim.HuntId, unit.Cost, voucher), PersistentRetry);
        return Ended(context, ClaimOutcome.Completed(voucher));
    }

    private static async Task<ClaimOutcome> UndoAsync(WorkflowContext context, Compensations undo, string code, string cause)
    {
        context.SetCustomStatus("compensating");
        await undo.RunAsync();
        return Ended(context, ClaimOutcome.Compensated(code, cause));
    }

    private static ClaimOutcome Ended(WorkflowContext context, ClaimOutcome outcome)
    {
        context.SetCustomStatus(outcome.Status.ToLowerInvariant());
        // Counted once per claim in the normal case: a replayed turn does not count again (a crash between the last turn
        // and its commit may count twice; metrics tolerate that, the claim itself does not change).
        if (!context.IsReplaying) ClaimMetrics.Ended(outcome);
        return outcome;
    }
}
