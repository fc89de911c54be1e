using System.Diagnostics.Metrics;

namespace Veltrix.Prizes.Claims;

/// <summary>
/// Claim counters on the meter <c>Veltrix.Prizes</c> (scraped at <c>/metrics</c>): claims started, claims ended by
/// outcome, compensation steps run by activity, and voucher attempts that failed transiently. Workflow code cannot
/// take constructor dependencies from the worker, so the meter is static (a static meter is scraped like any other).
/// </summary>
public static class ClaimMetrics
{
    private static readonly Meter Meter = new("Veltrix.Prizes");
    private static readonly Counter<long> StartedCounter = Meter.CreateCounter<long>("veltrix.prizes.claims.started", "{claim}", "Claim workflows started.");
    private static readonly Counter<long> EndedCounter = Meter.CreateCounter<long>("veltrix.prizes.claims.ended", "{claim}", "Claims that ended, by outcome (COMPLETED, COMPENSATED, FAILED).");
    private static readonly Counter<long> CompensationCounter = Meter.CreateCounter<long>("veltrix.prizes.compensations", "{step}", "Compensation steps run, by activity.");
    private static readonly Counter<long> VoucherFailureCounter = Meter.CreateCounter<long>("veltrix.prizes.voucher.transient_failures", "{attempt}",
        "Voucher attempts that failed transiently and were left to the retry policy.");

    public static void Started() => StartedCounter.Add(1);

    public static void Ended(ClaimOutcome outcome) => EndedCounter.Add(1, new KeyValuePair<string, object?>("outcome", outcome.Status));

    public static void Compensated(string activity) => CompensationCounter.Add(1, new KeyValuePair<string, object?>("activity", activity));

    public static void VoucherFailed() => VoucherFailureCounter.Add(1);
}
