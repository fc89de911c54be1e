namespace Veltrix.Prizes.Domain;

/// <summary>The VX61xx codes of the prizes service (docs/errors.md).</summary>
public static class PrizeErrorCodes
{
    /// <summary>404: no prize with that id.</summary>
    public const string PrizeNotFound = "VX6101";

    /// <summary>Claim failure cause: every unit of the prize is taken.</summary>
    public const string OutOfStock = "VX6102";

    /// <summary>Claim failure cause: the voucher could not be issued within the step's retry policy (a transient failure that lasted).</summary>
    public const string VoucherUnavailable = "VX6105";
}
