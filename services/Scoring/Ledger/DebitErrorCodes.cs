namespace Veltrix.Scoring.Ledger;

/// <summary>The VX6xxx codes of scoring's debit command (docs/errors.md).</summary>
public static class DebitErrorCodes
{
    /// <summary>409: the player has fewer points in the hunt than the debit asks for; nothing was taken.</summary>
    public const string InsufficientPoints = "VX6103";

    /// <summary>409: a debit requested after it was cancelled or refunded (its claim compensated): nothing more is taken.</summary>
    public const string DebitCancelled = "VX6104";
}
