namespace Veltrix.Prizes.Claims;

/// <summary>Tuning of prize claims (section <c>Prizes:Claims</c>).</summary>
public sealed class ClaimOptions
{
    public const string SectionName = "Prizes:Claims";

    /// <summary>
    /// Fault injection for demonstrations and tests: the first N attempts of every voucher issue fail as a transient
    /// error (the workflow's retry policy takes over). 0 in normal runs.
    /// </summary>
    public int VoucherTransientFailures { get; set; }
}
