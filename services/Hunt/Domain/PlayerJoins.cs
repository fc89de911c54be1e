using Dapr.Client;
using Veltrix.ServiceDefaults.Security;
using Veltrix.ServiceDefaults.State;

namespace Veltrix.Hunt.Domain;

/// <summary>That a player joined a hunt: only the SHA-256 of the token handed out, never the token itself.</summary>
public sealed record PlayerJoin(string TokenHash, DateTimeOffset JoinedAt);

/// <summary>
/// Joining is what hands out a player's token, once per (hunt, player): the join record is written first-write, and
/// only the request that created it gets the token. A second join with the same player id learns nothing — whoever
/// joined first holds the only token there is, so nobody can become another player by joining under its name.
/// </summary>
public sealed class PlayerJoins(DaprClient dapr, PlayerTokens tokens, TimeProvider time)
{
    /// <summary>The new player's token, or null when the player had already joined.</summary>
    public async Task<string?> JoinAsync(string huntId, string playerId, CancellationToken cancellationToken)
    {
        var token = tokens.Issue(huntId, playerId);
        var created = await dapr.TrySaveStateIfUnchangedAsync(HuntStore.StateStore, Key(huntId, playerId),
            new PlayerJoin(PlayerTokens.Hash(token), time.GetUtcNow()), HuntJson.Default.PlayerJoin, etagRead: null, cancellationToken);
        return created ? token : null;
    }

    private static string Key(string huntId, string playerId) => $"player:{huntId}:{playerId}";
}
