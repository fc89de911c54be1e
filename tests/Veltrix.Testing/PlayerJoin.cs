using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Veltrix.Testing;

/// <summary>
/// How a client gets a player's token: it joins the hunt (<c>POST /hunts/{huntId}/players</c>), once per player, and
/// sends the token with every answer and claim of that player (<c>Authorization: Bearer</c>, or an event's
/// <c>"playerToken"</c> at the gateway).
/// </summary>
public static class PlayerJoin
{
    /// <summary>
    /// Joins <paramref name="playerId"/> to the hunt and returns its token. Like a well-behaved client it sends the join
    /// again after a 503 with Retry-After (VX3013: the join record was not written, so the player id is still free), for
    /// up to a minute; anything else but 201 fails the test.
    /// </summary>
    public static async Task<string> JoinAsync(HttpClient http, Uri hunt, string huntId, string playerId)
    {
        ArgumentNullException.ThrowIfNull(http);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            using var response = await http.PostAsJsonAsync(new Uri(hunt, $"/hunts/{Uri.EscapeDataString(huntId)}/players"), new { playerId });
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Created) return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || response.Headers.RetryAfter?.Delta is not { } wait || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"joining {playerId} to hunt {huntId} answered {(int)response.StatusCode}: {body}");
            await Task.Delay(wait);
        }
    }

    /// <summary>A request with the player's token as <c>Authorization: Bearer</c>.</summary>
    public static HttpRequestMessage Post(Uri uri, object body, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
