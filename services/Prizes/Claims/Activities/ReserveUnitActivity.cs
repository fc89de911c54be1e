using Dapr.Workflow;
using Veltrix.Prizes.Domain;

namespace Veltrix.Prizes.Claims.Activities;

/// <summary>
/// Takes one unit of the prize for the claim. Idempotent on the claim id: the reservation record is written in the same
/// transaction as the stock, so a second run finds it and takes nothing more. Sold out or no such prize is an answer,
/// not an error (nothing to retry, nothing to undo); a stock that keeps changing under every attempt throws, for the
/// retry policy.
/// </summary>
public sealed class ReserveUnitActivity(PrizeStore prizes) : WorkflowActivity<ClaimInput, UnitReservation>
{
    public override async Task<UnitReservation> RunAsync(WorkflowActivityContext context, ClaimInput claim)
    {
        var (outcome, prize) = await prizes.ReserveAsync(claim.PrizeId, context.InstanceId, CancellationToken.None);
        return outcome switch
        {
            ReserveOutcome.Reserved => new UnitReservation(true, prize!.Cost, prize.Name, null, null),
            ReserveOutcome.NoSuchPrize => new UnitReservation(false, 0, "", PrizeErrorCodes.PrizeNotFound, $"prize '{claim.PrizeId}' does not exist"),
            ReserveOutcome.OutOfStock => new UnitReservation(false, prize?.Cost ?? 0, prize?.Name ?? "", PrizeErrorCodes.OutOfStock,
                $"prize '{claim.PrizeId}' is out of stock (all {prize?.InitialStock} units are claimed)"),
            _ => throw new IOException($"the stock of prize '{claim.PrizeId}' kept changing; trying again"),
        };
    }
}
