namespace Veltrix.Scoring.Ledger;

/// <summary>
/// One player's points in one hunt: what each solved puzzle earned, and the ids of the solve events already
/// applied (a bounded window), so a redelivered event never counts twice.
/// </summary>
public sealed record PlayerLedger(string HuntId, string PlayerId, int Points, Dictionary<string, int> Awards, List<string> RecentEventIds)
{
    public const int EventWindow = 256;

    public static PlayerLedger Empty(string huntId, string playerId) => new(huntId, playerId, 0, new(StringComparer.Ordinal), []);
}
