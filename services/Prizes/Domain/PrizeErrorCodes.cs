namespace Veltrix.Prizes.Domain;

/// <summary>The VX61xx codes of the prizes service (docs/errors.md).</summary>
public static class PrizeErrorCodes
{
    /// <summary>404: no prize with that id; as a claim's cause, the prize vanished before the claim ran.</summary>
    public const string PrizeNotFound = "VX6101";

    /// <summary>Claim failure cause: every unit of the prize is taken.</summary>
    public const string OutOfStock = "VX6102";

    /// <summary>Claim compensation cause: the voucher could not be issued within the retry policy (a transient failure that lasted).</summary>
    public const string VoucherUnavailable = "VX6105";

    /// <summary>Claim compensation cause: scoring could not be reached or kept failing within the retry policy.</summary>
    public const string ScoringUnavailable = "VX6106";

    /// <summary>409: the claim id is already used by a claim on another prize or by another player.</summary>
    public const string ClaimIdInUse = "VX6107";

    /// <summary>404: no claim with that id on that prize.</summary>
    public const string ClaimNotFound = "VX6108";

    /// <summary>A claim whose workflow failed outside its own outcomes (a compensation or the final publish that kept failing).</summary>
    public const string ClaimBroke = "VX6109";
}
