namespace Veltrix.Prizes.Claims;

/// <summary>What a claim workflow starts with; its instance id is the claim id.</summary>
public sealed record ClaimInput(string PrizeId, string PlayerId, string HuntId);

/// <summary>
/// How a claim ended, as its player sees it: <see cref="ClaimStatus.Completed"/> with a voucher, <see cref="ClaimStatus.Compensated"/>
/// (what was done is undone) or <see cref="ClaimStatus.Failed"/> (nothing was done), with the VX code and the cause.
/// </summary>
public sealed record ClaimOutcome(string Status, string? Voucher, string? FailureCode, string? Failure)
{
    public static ClaimOutcome Completed(string voucher) => new(ClaimStatus.Completed, voucher, null, null);

    public static ClaimOutcome Compensated(string code, string cause) => new(ClaimStatus.Compensated, null, code, cause);

    public static ClaimOutcome Failed(string code, string cause) => new(ClaimStatus.Failed, null, code, cause);
}

/// <summary>The statuses a claim shows: the workflow's runtime status while it runs, the outcome once it ended.</summary>
public static class ClaimStatus
{
    public const string Completed = "COMPLETED";
    public const string Compensated = "COMPENSATED";
    public const string Failed = "FAILED";
}

/// <summary>A unit taken from the stock (or why none was): what the claim costs and what the prize is called.</summary>
public sealed record UnitReservation(bool Reserved, long Cost, string PrizeName, string? FailureCode, string? Failure);

/// <summary>What to take from whose points; the debit id is the claim id, so scoring applies it once.</summary>
public sealed record PointsDebit(string HuntId, string PlayerId, long Amount);

/// <summary>Scoring's decision: debited (with the balance after it) or refused (with its code and reason).</summary>
public sealed record DebitDecision(bool Debited, long Balance, string? FailureCode, string? Failure);

/// <summary>What <c>prize.claimed</c> tells the rest of the system.</summary>
public sealed record ClaimedPrize(string PrizeId, string PlayerId, string HuntId, long Cost, string Voucher);
