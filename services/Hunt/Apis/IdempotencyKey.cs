using Veltrix.ServiceDefaults;

namespace Veltrix.Hunt.Apis;

/// <summary>
/// A join's <c>Idempotency-Key</c> header: a secret the client chooses (say 32 random bytes, base64url) and sends again
/// when it repeats the join after losing the answer. It is optional — a join without one is handed its token once, as
/// ever — and it is a secret, not just a request id: whoever shows it gets the player's token again, so it must be long
/// enough not to be guessed. Hunt keeps only its SHA-256.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const int MinLength = 32;
    public const int MaxLength = 200;

    /// <summary>The key (null when none was sent), or 400 VX3017 when the header is there but not a usable key.</summary>
    public static IResult? Read(HttpRequest request, out string? key)
    {
        ArgumentNullException.ThrowIfNull(request);
        key = null;
        if (!request.Headers.TryGetValue(Header, out var values)) return null;
        if (values.Count != 1) return Malformed("is given more than once");
        var value = values[0] ?? "";
        if (value.Length < MinLength) return Malformed($"has {value.Length} characters, fewer than {MinLength}");
        if (value.Length > MaxLength) return Malformed($"has {value.Length} characters, more than {MaxLength}");
        // Visible ASCII only: the key is compared as bytes, and a space or control character is a copy-paste accident.
        if (value.Any(c => c is < '!' or > '~')) return Malformed("holds a character other than visible ASCII (! to ~)");
        key = value;
        return null;
    }

    private static IResult Malformed(string what) =>
        Problems.Create(StatusCodes.Status400BadRequest, ServiceErrorCodes.IdempotencyKeyMalformed, "Malformed idempotency key",
            $"the {Header} header {what}; send {MinLength} to {MaxLength} visible ASCII characters, a secret of the client's (e.g. 32 random bytes, base64url), or no header at all",
            new Dictionary<string, object?> { ["header"] = Header });
}
