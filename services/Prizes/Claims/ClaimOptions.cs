namespace Veltrix.Prizes.Claims;

/// <summary>Tuning of the claim saga (section <c>Prizes:Claims</c>).</summary>
public sealed class ClaimOptions
{
    public const string SectionName = "Prizes:Claims";

    /// <summary>How long a claim waits for scoring to settle the debit before it gives up and compensates.</summary>
    public TimeSpan DebitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Fault injection for demonstrations and tests: the first N attempts of every voucher issue fail as a transient
    /// error (the step's retry policy takes over). 0 in normal runs.
    /// </summary>
    public int VoucherTransientFailures { get; set; }
}
