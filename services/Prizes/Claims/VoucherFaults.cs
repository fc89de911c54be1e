using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Veltrix.Prizes.Claims;

/// <summary>
/// Fault injection for demonstrations and tests (<see cref="ClaimOptions.VoucherTransientFailures"/>): the first N
/// attempts to issue each claim's voucher fail as a transient error, so the workflow's retry policy shows. Attempts are
/// counted in this process only; an entry lives from a claim's first failed attempt to its success, so the map holds at
/// most the claims in flight. With N = 0 (normal runs) nothing is recorded.
/// </summary>
public sealed class VoucherFaults(IOptions<ClaimOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);

    /// <summary>Throws <see cref="VoucherUnavailableException"/> for the first N attempts of <paramref name="claimId"/>.</summary>
    public void BeforeIssue(string claimId)
    {
        var failures = options.Value.VoucherTransientFailures;
        if (failures <= 0) return;
        var attempt = _attempts.AddOrUpdate(claimId, 1, (_, n) => n + 1);
        if (attempt <= failures)
        {
            ClaimMetrics.VoucherFailed();
            throw new VoucherUnavailableException($"the voucher service is unavailable (attempt {attempt} of claim '{claimId}')");
        }
        _attempts.TryRemove(claimId, out _);
    }
}

/// <summary>A voucher service that is briefly unavailable: retried by the workflow's policy.</summary>
public sealed class VoucherUnavailableException(string message) : Exception(message);
