namespace Veltrix.Prizes.Events;

/// <summary>Sent to scoring: spend <c>Amount</c> of the player's points, once per <c>DebitId</c>; answer to <c>ReplyTo</c> (the claim).</summary>
public sealed record DebitRequested(string DebitId, string HuntId, string PlayerId, int Amount, string ReplyTo);

/// <summary>Sent to scoring when a claim is compensated after its debit was requested: refund it, or block it if not yet applied.</summary>
public sealed record DebitCancelled(string DebitId, string HuntId, string PlayerId);

/// <summary>Scoring's answer: Debited (with the new balance) or Rejected (code and reason).</summary>
public sealed record DebitSettled(string? DebitId, string? HuntId, string? PlayerId, int Amount, string? Outcome, int Balance, string? Code, string? Reason,
    string? ReplyTo);

/// <summary>A claim that went through: the player has the voucher and paid the cost.</summary>
public sealed record PrizeClaimed(string ClaimId, string PrizeId, string PlayerId, string HuntId, int Cost, string Voucher);
