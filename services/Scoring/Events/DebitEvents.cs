namespace Veltrix.Scoring.Events;

/// <summary>A request to spend a player's points (the prize-claim saga sends it); <c>DebitId</c> makes it idempotent.</summary>
public sealed record DebitRequested(string? DebitId, string? HuntId, string? PlayerId, int Amount, string? ReplyTo);

/// <summary>A request to give a debit back, or to make sure it never applies.</summary>
public sealed record DebitCancelled(string? DebitId, string? HuntId, string? PlayerId);

/// <summary>
/// The answer to a <see cref="DebitRequested"/>: Debited (with the new balance) or Rejected (with the code
/// VX6103 and the reason). <c>ReplyTo</c> is the requester's correlation (the saga instance).
/// </summary>
public sealed record DebitSettled(string DebitId, string HuntId, string PlayerId, int Amount, string Outcome, int Balance, string? Code, string? Reason,
    string? ReplyTo);
