using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Veltrix.Testing;

/// <summary>
/// How a client gets a player's token: it joins the hunt (<c>POST /hunts/{huntId}/players</c>), once per player (a
/// repeat with the same idempotency key is the same join), and sends the token with every answer and claim of that
/// player (<c>Authorization: Bearer</c>, or an event's <c>"playerToken"</c> at the gateway).
/// </summary>
public static class PlayerJoin
{
    /// <summary>The header a join's idempotency key travels in (hunt's <c>IdempotencyKey.Header</c>).</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>A fresh idempotency key: 32 random bytes, base64url (43 characters; hunt asks for 32 or more).</summary>
    public static string NewIdempotencyKey() => System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Joins <paramref name="playerId"/> to the hunt and returns its token. Like a well-behaved client it chooses an
    /// idempotency key once and sends the join again with the same key, for up to a minute: after a 503 with Retry-After
    /// (VX3013: the join record may or may not have been written) and after a lost answer (connection failure, timeout).
    /// A repeat of a join that did get through answers 200 with the same token, so the player id is never burnt; 201 or
    /// 200 returns the token, anything else fails the test.
    /// </summary>
    public static async Task<string> JoinAsync(HttpClient http, Uri hunt, string huntId, string playerId)
    {
        ArgumentNullException.ThrowIfNull(http);
        var key = NewIdempotencyKey();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            TimeSpan wait;
            try
            {
                using var request = Request(hunt, huntId, playerId, key);
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK) return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || response.Headers.RetryAfter?.Delta is not { } retryAfter || DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"joining {playerId} to hunt {huntId} answered {(int)response.StatusCode}: {body}");
                wait = retryAfter;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow <= deadline)
            {
                wait = TimeSpan.FromMilliseconds(200); // the answer was lost: the same join again, with the same key
            }
            await Task.Delay(wait);
        }
    }

    /// <summary>A join request; with <paramref name="idempotencyKey"/>, one that may be sent again for the same token.</summary>
    public static HttpRequestMessage Request(Uri hunt, string huntId, string playerId, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(hunt, $"/hunts/{Uri.EscapeDataString(huntId)}/players")) { Content = JsonContent.Create(new { playerId }) };
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, idempotencyKey);
        return request;
    }

    /// <summary>A request with the player's token as <c>Authorization: Bearer</c>.</summary>
    public static HttpRequestMessage Post(Uri uri, object body, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
