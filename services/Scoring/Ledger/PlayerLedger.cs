namespace Veltrix.Scoring.Ledger;

/// <summary>
/// One player's points in one hunt: what each solved puzzle earned, the ids of the solve events already applied (a
/// bounded window), so a redelivered event never counts twice, and a version that grows with every change, so
/// readers can tell a newer total from an older one.
/// </summary>
public sealed record PlayerLedger(string HuntId, string PlayerId, int Points, long Version, Dictionary<string, int> Awards, List<string> RecentEventIds)
{
    public const int EventWindow = 32;

    public static PlayerLedger Empty(string huntId, string playerId) => new(huntId, playerId, 0, 0, new(StringComparer.Ordinal), []);
}
