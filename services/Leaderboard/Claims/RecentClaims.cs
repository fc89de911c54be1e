using Dapr.Client;
using Veltrix.ServiceDefaults.State;
using Veltrix.Leaderboard.Events;

namespace Veltrix.Leaderboard.Claims;

/// <summary>A prize a player claimed, as the hunt's page shows it (never the voucher code: that is the player's).</summary>
public sealed record ClaimEntry(string ClaimId, string PlayerId, string PrizeId, long Cost, DateTimeOffset ClaimedAt);

/// <summary>A hunt's most recent claims, newest first, as kept in the state store.</summary>
public sealed record StoredClaims(string HuntId, List<ClaimEntry> Claims);

/// <summary>
/// The last <see cref="Kept"/> prize claims of each hunt, from prize.claimed. Written with compare-and-swap and keyed by
/// claim id, so a redelivered event is recorded once; the list is bounded, so a hunt's claims never grow without limit.
/// </summary>
public sealed class RecentClaims(DaprClient dapr, TimeProvider time)
{
    public const int Kept = 20;
    private const int MaxAttempts = 10;
    private const string StateStore = Board.BoardStore.StateStore;

    public async Task<IReadOnlyList<ClaimEntry>> ListAsync(string huntId, CancellationToken cancellationToken) =>
        (await dapr.GetStateAsync<StoredClaims?>(StateStore, Key(huntId), cancellationToken: cancellationToken))?.Claims ?? [];

    /// <summary>False when the list kept changing under it (the event should be redelivered).</summary>
    public async Task<bool> RecordAsync(PrizeClaimed claim, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var (stored, etag) = await dapr.GetStateAndETagAsync<StoredClaims?>(StateStore, Key(claim.HuntId!), cancellationToken: cancellationToken);
            var claims = stored?.Claims ?? [];
            if (claims.Any(c => c.ClaimId == claim.ClaimId)) return true;
            var entry = new ClaimEntry(claim.ClaimId!, claim.PlayerId!, claim.PrizeId!, claim.Cost, time.GetUtcNow());
            var next = new StoredClaims(claim.HuntId!, [entry, .. claims.Take(Kept - 1)]);
            if (await dapr.TrySaveStateIfUnchangedAsync(StateStore, Key(claim.HuntId!), next, etag, cancellationToken)) return true;
        }
        return false;
    }

    private static string Key(string huntId) => $"claims:{huntId}";
}
