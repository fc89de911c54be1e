using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Veltrix.ServiceDefaults.Security;

/// <summary>What a presented player token proved.</summary>
public enum PlayerTokenCheck
{
    /// <summary>The token was issued for this hunt and player.</summary>
    Valid,

    /// <summary>No token was sent.</summary>
    Missing,

    /// <summary>A token was sent, but not one issued for this hunt and player (or not one at all).</summary>
    Wrong,

    /// <summary>This service has no key, so it can neither issue nor verify tokens: player routes stay closed.</summary>
    Closed,
}

/// <summary>
/// Per-player tokens, issued once when a player joins a hunt (hunt's <c>POST /hunts/{huntId}/players</c>) and shown with
/// every answer and claim. A token is <c>vxp1.{nonce}.{mac}</c>: a random nonce and HMAC-SHA256 over (hunt id, player
/// id, nonce) under a key every app of a run shares. Why an HMAC rather than a lookup: the gateway checks a token per
/// event on the benchmark's hot path, and an HMAC costs about a microsecond and no state read, while a lookup would
/// cost a sidecar round trip per player per batch. Soundness does not suffer: without the key nobody can make a token
/// for a (hunt, player) pair, and hunt issues a pair's token only to the join that wrote its join record (first-write) —
/// and again only to a repeat of that join that shows the same idempotency key — so the only holder of a player's token
/// is whoever joined as that player.
/// <para>
/// The key is <c>VELTRIX_PLAYER_TOKEN_KEY</c> (at least <see cref="MinKeyLength"/> characters) or, when that is unset,
/// derived with HKDF from <c>VELTRIX_OPERATOR_TOKEN</c>, which every app of a run already shares (AppHost and the
/// Kubernetes manifests pass it to all of them): one secret to hand out, and the derivation's label keeps the two uses
/// apart — a player token reveals nothing about the operator token. Without either, or with a weak operator token,
/// nothing is issued or accepted: the routes answer 401 VX3016 rather than run unauthenticated.
/// </para>
/// </summary>
public sealed class PlayerTokens
{
    public const string KeyVariable = "VELTRIX_PLAYER_TOKEN_KEY";
    public const int MinKeyLength = 32;
    private const string Prefix = "vxp1.";
    private const int NonceBytes = 16;
    private const int MacBytes = 32;
    private const int NonceChars = 22; // base64url of NonceBytes, unpadded
    private const int MacChars = 43;   // base64url of MacBytes, unpadded
    private static readonly byte[] DerivationLabel = "veltrix/player-tokens/v1"u8.ToArray();

    private readonly byte[]? _key;

    public PlayerTokens(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var own = configuration[KeyVariable];
        var operatorToken = configuration[OperatorTokenExtensions.TokenVariable];
        if (!string.IsNullOrWhiteSpace(own))
        {
            if (own.Length >= MinKeyLength) _key = Encoding.UTF8.GetBytes(own);
            else ClosedBecause = $"{KeyVariable} has {own.Length} characters, fewer than {MinKeyLength}";
        }
        else if (!string.IsNullOrWhiteSpace(operatorToken) && operatorToken.Length >= OperatorTokenExtensions.MinTokenLength)
            _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(operatorToken), MacBytes, salt: [], info: DerivationLabel);
        else
            ClosedBecause = $"neither {KeyVariable} nor a {OperatorTokenExtensions.TokenVariable} of {OperatorTokenExtensions.MinTokenLength} characters or more is set";
    }

    /// <summary>Why tokens can be neither issued nor checked here; null when they can.</summary>
    public string? ClosedBecause { get; }

    /// <summary>A new token for the pair. Call it only once per pair (when the player joins): every token it makes is valid.</summary>
    public string Issue(string huntId, string playerId)
    {
        Span<byte> nonce = stackalloc byte[NonceBytes];
        RandomNumberGenerator.Fill(nonce);
        return Issue(huntId, playerId, nonce);
    }

    /// <summary>
    /// The pair's token with the nonce of <see cref="NonceOf"/>: the very token <see cref="Issue(string, string)"/> gave
    /// out, made again. A token is a pure function of (key, hunt, player, nonce), so keeping the nonce — as a join record
    /// does for a join that may be repeated — lets the token be handed out again without storing it. The nonce alone is
    /// worth nothing: without the key it makes no token, and whoever holds the key can make any token anyway.
    /// </summary>
    public string Reissue(string huntId, string playerId, string nonce)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        Span<byte> bytes = stackalloc byte[NonceBytes];
        if (nonce.Length != NonceChars || !TryDecode(nonce, bytes))
            throw new FormatException($"a player token's nonce is {NonceChars} base64url characters");
        return Issue(huntId, playerId, bytes);
    }

    /// <summary>The nonce part of a token this class issued (<see cref="NonceChars"/> base64url characters), for <see cref="Reissue"/>.</summary>
    public static string NonceOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!HasTokenShape(token)) throw new FormatException("not a player token");
        return token.Substring(Prefix.Length, NonceChars);
    }

    private string Issue(string huntId, string playerId, ReadOnlySpan<byte> nonce)
    {
        var key = _key ?? throw new InvalidOperationException("player tokens are closed: " + ClosedBecause);
        Span<byte> mac = stackalloc byte[MacBytes];
        Mac(key, huntId, playerId, nonce, mac);
        return Prefix + Base64Url.EncodeToString(nonce) + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>Whether <paramref name="token"/> was issued for (<paramref name="huntId"/>, <paramref name="playerId"/>); no I/O.</summary>
    public PlayerTokenCheck Check(string? token, string huntId, string playerId)
    {
        if (_key is null) return PlayerTokenCheck.Closed;
        if (string.IsNullOrEmpty(token)) return PlayerTokenCheck.Missing;
        // Anything but the shape is refused before any hashing.
        if (!HasTokenShape(token)) return PlayerTokenCheck.Wrong;
        Span<byte> nonce = stackalloc byte[NonceBytes];
        Span<byte> given = stackalloc byte[MacBytes];
        if (!TryDecode(token.AsSpan(Prefix.Length, NonceChars), nonce) || !TryDecode(token.AsSpan(Prefix.Length + NonceChars + 1), given))
            return PlayerTokenCheck.Wrong;
        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(_key, huntId, playerId, nonce, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected) ? PlayerTokenCheck.Valid : PlayerTokenCheck.Wrong;
    }

    /// <summary><c>vxp1.&lt;nonce&gt;.&lt;mac&gt;</c> with both parts of their base64url length.</summary>
    private static bool HasTokenShape(string token) =>
        token.Length == Prefix.Length + NonceChars + 1 + MacChars && token.StartsWith(Prefix, StringComparison.Ordinal) && token[Prefix.Length + NonceChars] == '.';

    /// <summary>Decodes base64url that must fill <paramref name="bytes"/> exactly.</summary>
    private static bool TryDecode(ReadOnlySpan<char> chars, Span<byte> bytes) =>
        Base64Url.DecodeFromChars(chars, bytes, out _, out var length) == System.Buffers.OperationStatus.Done && length == bytes.Length;

    /// <summary>What a join record keeps instead of a secret the client holds (the token, or a join's idempotency key): its SHA-256, hex.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? FromBearer(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>
    /// The MAC over "huntId \n playerId \n" and the nonce. Ids never hold control characters (<see cref="Ids"/>), so the
    /// newline separates them unambiguously: ("a\nb", "c") cannot be confused with ("a", "b\nc").
    /// </summary>
    private static void Mac(byte[] key, string huntId, string playerId, ReadOnlySpan<byte> nonce, Span<byte> mac)
    {
        var length = Encoding.UTF8.GetByteCount(huntId) + Encoding.UTF8.GetByteCount(playerId) + 2 + nonce.Length;
        var buffer = length <= 1024 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(huntId, buffer);
        buffer[written++] = (byte)'\n';
        written += Encoding.UTF8.GetBytes(playerId, buffer[written..]);
        buffer[written++] = (byte)'\n';
        nonce.CopyTo(buffer[written..]);
        HMACSHA256.HashData(key, buffer, mac);
    }
}
