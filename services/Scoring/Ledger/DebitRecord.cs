namespace Veltrix.Scoring.Ledger;

/// <summary>What became of a debit (or its cancellation), by debit id.</summary>
public enum DebitOutcome
{
    /// <summary>The points were taken from the ledger.</summary>
    Debited,

    /// <summary>The player had too few points; nothing was taken.</summary>
    Rejected,

    /// <summary>Cancelled before it was applied: a late request for it takes nothing.</summary>
    Cancelled,

    /// <summary>Taken, then given back.</summary>
    Refunded,
}

/// <summary>
/// That a debit was decided, written with first-write concurrency in the same transaction as the ledger (like
/// <see cref="AwardRecord"/>): a repeated request with the same id — a workflow activity run twice — decides nothing new.
/// </summary>
public sealed record DebitRecord(string DebitId, string HuntId, string PlayerId, long Amount, DebitOutcome Outcome, long BalanceAfter, long VersionAfter);
