using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapr.Client;
using Veltrix.ServiceDefaults.Security;
using Veltrix.ServiceDefaults.State;

namespace Veltrix.Hunt.Domain;

/// <summary>
/// That a player joined a hunt: the SHA-256 of the token handed out, never the token itself. A join sent with an
/// idempotency key also keeps the key's SHA-256 and the token's nonce, so the same join can be answered again.
/// </summary>
public sealed record PlayerJoin(string TokenHash, DateTimeOffset JoinedAt, string? KeyHash = null, string? Nonce = null);

/// <summary>What a join came to.</summary>
public enum JoinOutcome
{
    /// <summary>This request wrote the join record: the player joined now.</summary>
    Joined,

    /// <summary>The join had been made before with the same idempotency key: the same token again.</summary>
    Repeated,

    /// <summary>The player had joined, without a key or with another one: no token.</summary>
    Taken,
}

/// <summary>The outcome, and the token when there is one to hand out.</summary>
public sealed record JoinResult(JoinOutcome Outcome, string? Token);

/// <summary>
/// Joining is what hands out a player's token, once per (hunt, player): the join record is written first-write, and
/// only the request that created it gets the token — or a repeat of that request that shows the same idempotency key
/// (a client whose answer was lost). A join with the player id that shows no key, or another key, learns nothing:
/// whoever joined first holds the only token there is, so nobody can become another player by joining under its name.
/// </summary>
public sealed class PlayerJoins(DaprClient dapr, PlayerTokens tokens, TimeProvider time)
{
    /// <param name="idempotencyKey">The client's secret for repeating this join, or null (then the token is handed out once).</param>
    public async Task<JoinResult> JoinAsync(string huntId, string playerId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var token = tokens.Issue(huntId, playerId);
        var keyHash = idempotencyKey is null ? null : PlayerTokens.Hash(idempotencyKey);
        // The nonce is kept only when the join may be repeated; without a key there is nothing to answer again with.
        var record = new PlayerJoin(PlayerTokens.Hash(token), time.GetUtcNow(), keyHash, keyHash is null ? null : PlayerTokens.NonceOf(token));
        var created = await dapr.TrySaveStateIfUnchangedAsync(HuntStore.StateStore, Key(huntId, playerId), record, HuntJson.Default.PlayerJoin,
            etagRead: null, cancellationToken);
        if (created) return new JoinResult(JoinOutcome.Joined, token);
        if (keyHash is null) return new JoinResult(JoinOutcome.Taken, null);

        // Someone joined first — perhaps this very client, whose answer was lost. The record exists (the first-write was
        // refused because of it), and join records are never changed, so this read sees the join that won.
        var stored = await dapr.GetByteStateAsync(HuntStore.StateStore, Key(huntId, playerId), cancellationToken: cancellationToken);
        var first = stored.Length > 0 ? JsonSerializer.Deserialize(stored.Span, HuntJson.Default.PlayerJoin) : null;
        if (first is not { KeyHash: { } firstKeyHash, Nonce: { } nonce } || !SameHash(firstKeyHash, keyHash))
            return new JoinResult(JoinOutcome.Taken, null);
        // The same key: the same token, made again from the nonce (PlayerTokens.Reissue) — nothing new becomes valid.
        return new JoinResult(JoinOutcome.Repeated, tokens.Reissue(huntId, playerId, nonce));
    }

    /// <summary>Compared in constant time, so the time an answer takes says nothing about how much of a guessed key's hash was right.</summary>
    private static bool SameHash(string stored, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(presented));

    private static string Key(string huntId, string playerId) => $"player:{huntId}:{playerId}";
}
