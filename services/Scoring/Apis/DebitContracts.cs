namespace Veltrix.Scoring.Apis;

/// <summary>A debit asked for: <c>{"debitId","amount"}</c>; the same id on every retry.</summary>
public sealed record DebitRequest(string? DebitId, long Amount);

/// <summary>
/// What became of a debit, the same on every repeat of its id: <c>Debited</c> (with the balance after it),
/// <c>Refunded</c> or <c>Cancelled</c> (a cancel's answer). A refused debit is a problem+json answer instead.
/// </summary>
public sealed record DebitSettled(string DebitId, string HuntId, string PlayerId, long Amount, string Outcome, long Balance);
