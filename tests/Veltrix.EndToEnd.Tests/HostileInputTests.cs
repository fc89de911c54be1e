using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// Hostile input against every public and operator endpoint of every service, and the sidecar's state and publish
/// API, on the running system: nothing answers 5xx, and every 4xx of a service is problem+json with a VX code. Then the
/// same hostile ids inside a bulk delivery: one poison event costs one dead letter, never its batch.
/// </summary>
[Collection(nameof(EmbeddedSystem))]
public sealed class HostileInputTests(EmbeddedSystemFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>
    /// Each hostile value twice: as JSON string content (escapes written out, so a lone surrogate really is "\ud800") and
    /// as a URL path segment (percent-escaped bytes, so a lone surrogate is the invalid UTF-8 of one).
    /// </summary>
    public static TheoryData<string, string, string> Hostile => new()
    {
        { "separator", "a||b", "a%7C%7Cb" },
        { "nul", "a\\u0000b", "a%01b" }, // (a NUL in a URL path is refused by Kestrel itself, with a bare 400)
        { "slash", "a/b", "a%2Fb" },
        { "lone surrogate", "x\\ud800y", "x%ED%A0%80y" },
        { "invalid utf-8", "\\udfff", "%FF%FE" },
        { "percent", "50%", "50%25" },
        { "dot segments", "../../x", "..%2F..%2Fx" },
        { "empty", "", "%20" },
        { "long", new string('x', 5000), new string('x', 5000) },
        { "emoji", "\\ud83d\\ude00", "%F0%9F%98%80" },
        { "newline", "a\\nb", "a%0Ab" },
        { "query", "a?b#c", "a%3Fb%23c" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task No_endpoint_answers_5xx_and_every_service_4xx_has_a_VX_code(string name, string json, string segment)
    {
        _ = name;
        var system = fixture.System;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var failures = new List<string>();
        using var player = new HuntPlayer(system);
        var hunt = await player.CreateHuntAsync("hostile", new PuzzleSpec("q", "a", 10));
        var s = JsonString(json);

        async Task CheckAsync(string app, HttpMethod method, string path, string? body = null, string contentType = "application/json",
            bool operatorToken = false, bool service = true)
        {
            var sidecar = !service;
            var baseUri = sidecar ? new Uri($"http://127.0.0.1:{system.Apps()[app].DaprHttpPort}") : system.Url(app);
            using var request = new HttpRequestMessage(method, new Uri(baseUri + path.TrimStart('/'), UriKind.Absolute));
            if (body is not null) request.Content = new StringContent(body, new MediaTypeHeaderValue(contentType));
            if (operatorToken) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", system.OperatorToken);
            if (sidecar) request.Headers.Add("dapr-api-token", system.DaprApiToken);
            using var response = await http.SendAsync(request, Cancel);
            var text = await response.Content.ReadAsStringAsync(Cancel);
            var what = $"{app}{(sidecar ? " sidecar" : "")} {method} {path[..Math.Min(path.Length, 120)]} → {(int)response.StatusCode}: {text[..Math.Min(text.Length, 300)]}";
            if ((int)response.StatusCode >= 500) failures.Add(what);
            else if (service && (int)response.StatusCode >= 400 && !HasVxCode(response, text)) failures.Add("no VX problem+json: " + what);
        }

        // gateway (anonymous): the event id and the data's ids
        await CheckAsync("gateway", HttpMethod.Post, "/v1/events",
            $$$"""[{"id":{{{s}}},"type":"answer.submitted","data":{"huntId":"{{{hunt.Id}}}","puzzleId":"p1","playerId":"ok","answer":"a"}},""" +
            $$$"""{"id":"e-{{{Guid.NewGuid():N}}}","type":"answer.submitted","data":{"huntId":{{{s}}},"puzzleId":{{{s}}},"playerId":{{{s}}},"answer":{{{s}}}}},""" +
            $$$"""{"id":"e2-{{{Guid.NewGuid():N}}}","type":{{{s}}},"data":{}}]""");
        // hunt
        await CheckAsync("hunt", HttpMethod.Post, "/hunts", $$"""{"name":{{s}},"puzzles":[{"question":{{s}},"answer":{{s}},"points":1}]}""");
        await CheckAsync("hunt", HttpMethod.Get, $"/hunts/{segment}");
        await CheckAsync("hunt", HttpMethod.Post, $"/hunts/{hunt.Id}/puzzles/p1/answers", $$"""{"playerId":{{s}},"answer":{{s}}}""");
        await CheckAsync("hunt", HttpMethod.Post, $"/hunts/{hunt.Id}/players", $$"""{"playerId":{{s}}}""");
        await CheckAsync("hunt", HttpMethod.Post, $"/hunts/{segment}/players", """{"playerId":"p"}""");
        await CheckAsync("hunt", HttpMethod.Post, $"/hunts/{segment}/puzzles/{segment}/answers", """{"playerId":"p","answer":"a"}""");
        await CheckAsync("hunt", HttpMethod.Post, $"/hunts/{hunt.Id}/puzzles/{segment}/answers", """{"playerId":"p","answer":"a"}""");
        // scoring
        await CheckAsync("scoring", HttpMethod.Get, $"/ledgers/{segment}/{segment}");
        await CheckAsync("scoring", HttpMethod.Get, $"/ledgers/{hunt.Id}/{segment}");
        await CheckAsync("scoring", HttpMethod.Post, $"/ledgers/{segment}/{segment}/debits", $$"""{"debitId":{{s}},"amount":1}""");
        // leaderboard
        await CheckAsync("leaderboard", HttpMethod.Get, $"/leaderboard/{segment}");
        await CheckAsync("leaderboard", HttpMethod.Get, $"/leaderboard/{segment}/claims");
        // prizes
        await CheckAsync("prizes", HttpMethod.Post, "/prizes", $$"""{"name":{{s}},"cost":1,"stock":1}""", operatorToken: true);
        await CheckAsync("prizes", HttpMethod.Get, $"/prizes/{segment}");
        await CheckAsync("prizes", HttpMethod.Post, $"/prizes/{segment}/claims", $$"""{"playerId":{{s}},"huntId":{{s}},"claimId":{{s}}}""");
        await CheckAsync("prizes", HttpMethod.Get, $"/prizes/{segment}/claims/{segment}");
        // control (operator)
        await CheckAsync("control", HttpMethod.Get, $"/configurations/{segment}/versions/1", operatorToken: true);
        await CheckAsync("control", HttpMethod.Get, $"/configurations/{segment}/diff?from=1&to=2", operatorToken: true);
        await CheckAsync("control", HttpMethod.Post, $"/configurations/{segment}/versions/99/activate", $$"""{"expectedActive":{{s}}}""", operatorToken: true);
        await CheckAsync("control", HttpMethod.Post, $"/configurations?file={segment}", $"kind: {json}", "application/yaml", operatorToken: true);
        // dead-letter owners (operator)
        await CheckAsync("hunt", HttpMethod.Get, $"/veltrix/dead-letters/answer.submitted/{segment}", operatorToken: true);
        await CheckAsync("hunt", HttpMethod.Get, $"/veltrix/dead-letters/{segment}", operatorToken: true);
        await CheckAsync("hunt", HttpMethod.Post, "/veltrix/dead-letters/answer.submitted/purge", $$"""{"eventIds":[{{s}}]}""", operatorToken: true);
        // a delivery route without the app token, with a hostile body
        await CheckAsync("hunt", HttpMethod.Post, "/events/answer-submitted", $$$"""{"entries":[{"entryId":{{{s}}},"event":{"huntId":{{{s}}}}}]}""");
        // the sidecar's state and publish API (Dapr's error shape, not VX: only "never 5xx" applies)
        await CheckAsync("hunt", HttpMethod.Post, "/v1.0/state/statestore", $$"""[{"key":{{s}},"value":1}]""", service: false);
        await CheckAsync("hunt", HttpMethod.Get, $"/v1.0/state/statestore/{segment}", service: false);
        await CheckAsync("hunt", HttpMethod.Delete, $"/v1.0/state/statestore/{segment}", service: false);
        await CheckAsync("hunt", HttpMethod.Post, "/v1.0/state/statestore/bulk", $$"""{"keys":[{{s}}]}""", service: false);

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("hunt", "/hunts", "text/plain")]
    [InlineData("hunt", "/hunts", "application/cloudevents+json")]
    [InlineData("gateway", "/v1/events", "text/plain")]
    [InlineData("gateway", "/v1/events", "application/cloudevents+json")]
    [InlineData("control", "/configurations/treasure-hunt/versions/1/activate", "text/plain")]
    [InlineData("prizes", "/prizes", "application/xml")]
    public async Task A_body_of_another_media_type_is_415_VX3005_and_a_cloudevent_is_not_unwrapped(string app, string path, string contentType)
    {
        var system = fixture.System;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(system.Url(app), path))
        {
            // A CloudEvent whose data would be a valid request if it were unwrapped: public endpoints must not unwrap it.
            Content = new StringContent("""{"specversion":"1.0","id":"x","source":"s","type":"t","data":{"name":"n","puzzles":[{"question":"q","answer":"a","points":1}]}}""",
                new MediaTypeHeaderValue(contentType)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", system.OperatorToken);
        using var response = await http.SendAsync(request, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("VX3005", Code(text));
    }

    [Fact]
    public async Task An_oversized_url_or_header_block_is_refused_with_a_VX_code()
    {
        var system = fixture.System;
        using var http = new HttpClient();
        using var longUrl = await http.GetAsync(new Uri(system.Url("hunt"), "/hunts/" + new string('a', 10_000)), Cancel);
        Assert.Equal(HttpStatusCode.RequestUriTooLong, longUrl.StatusCode);
        Assert.Equal("VX3011", Code(await longUrl.Content.ReadAsStringAsync(Cancel)));

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(system.Url("leaderboard"), "/leaderboard/x"));
        for (var i = 0; i < 4; i++) request.Headers.Add($"X-Big-{i}", new string('b', 5000));
        using var bigHeaders = await http.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, bigHeaders.StatusCode);
        Assert.Equal("VX3011", Code(await bigHeaders.Content.ReadAsStringAsync(Cancel)));
    }

    [Fact]
    public async Task A_delivery_without_the_app_token_is_401_VX3008_before_its_body_is_read()
    {
        using var http = new HttpClient();
        // Not JSON at all: were the body read first, this would be a 400 (or a DROP answer).
        using var response = await http.PostAsync(new Uri(fixture.System.Url("scoring"), "/events/puzzle-solved"),
            new StringContent("{not json", new MediaTypeHeaderValue("application/cloudevents+json")), Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("VX3008", Code(text));
    }

    /// <summary>
    /// The issue's evidence, end to end: 50 correct answers and hostile events (an id with <c>||</c>, one with a NUL)
    /// published together on the topic through the sidecar. All 50 players reach the leaderboard; each hostile event is
    /// one dead letter parked by its owner, with its cause.
    /// </summary>
    [Fact]
    public async Task A_batch_with_poison_events_scores_every_good_answer_and_dead_letters_only_the_poison()
    {
        var system = fixture.System;
        using var player = new HuntPlayer(system);
        var hunt = await player.CreateHuntAsync("poison", new PuzzleSpec("q", "answer", 10));
        var entries = Enumerable.Range(0, 50).Select(i => Entry($"good-{i}-{Guid.NewGuid():N}", hunt.Id, $"player-{i:00}")).ToList();
        var poison = new[] { $"poison-sep-{Guid.NewGuid():N}", $"poison-nul-{Guid.NewGuid():N}" };
        entries.Insert(17, Entry(poison[0], hunt.Id, "mallory||x"));
        entries.Insert(33, Entry(poison[1], hunt.Id, "mallory\0"));

        using var http = new HttpClient();
        using var publish = new HttpRequestMessage(HttpMethod.Post,
            new Uri($"http://127.0.0.1:{system.Apps()["gateway"].DaprHttpPort}/v1.0-alpha1/publish/bulk/pubsub/answer.submitted"))
        {
            Content = new StringContent("[" + string.Join(",", entries) + "]", new MediaTypeHeaderValue("application/json")),
        };
        publish.Headers.Add("dapr-api-token", system.DaprApiToken);
        using var published = await http.SendAsync(publish, Cancel);
        Assert.True(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync(Cancel));

        await player.AssertLeaderboardAsync(hunt.Id, [.. Enumerable.Range(0, 50).Select(i => ($"player-{i:00}", 10, 1))], TimeSpan.FromSeconds(60));

        using var letters = new HttpClient { BaseAddress = system.Url("hunt") };
        letters.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", system.OperatorToken);
        JsonElement page = default;
        await Eventually.UntilAsync(async () =>
        {
            page = JsonDocument.Parse(await letters.GetStringAsync("/veltrix/dead-letters/answer.submitted?limit=1000", Cancel)).RootElement;
            return poison.All(id => page.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("eventId").GetString() == $"{id}-{hunt.Id}"));
        }, "both poison events parked by hunt", TimeSpan.FromSeconds(60));
        var parked = page.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("eventId").GetString()!.EndsWith("-" + hunt.Id, StringComparison.Ordinal)).ToList();
        Assert.Equal(poison.Select(id => $"{id}-{hunt.Id}").Order(), parked.Select(i => i.GetProperty("eventId").GetString()).Order());
        Assert.All(parked, i => Assert.Contains("DROP", i.GetProperty("cause").GetString(), StringComparison.Ordinal));
        Assert.All(parked, i => Assert.Equal(0, i.GetProperty("replays").GetInt32()));
    }

    /// <summary>A bulk publish entry: an answer.submitted CloudEvent, its event id ending in the hunt id (to find it among the owner's letters).</summary>
    private static string Entry(string id, string huntId, string playerId) => JsonSerializer.Serialize(new
    {
        entryId = id,
        @event = new
        {
            specversion = "1.0", id = $"{id}-{huntId}", source = "hostile-test", type = "answer.submitted", datacontenttype = "application/json",
            data = new { huntId, puzzleId = "p1", playerId, answer = "answer" },
        },
        contentType = "application/cloudevents+json",
    });

    private static bool HasVxCode(HttpResponseMessage response, string text) =>
        response.Content.Headers.ContentType?.MediaType == "application/problem+json" && Code(text) is { } code && code.StartsWith("VX", StringComparison.Ordinal);

    private static string? Code(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A JSON string literal of <paramref name="escaped"/>, which is already JSON string content (escapes written out).</summary>
    private static string JsonString(string escaped) => "\"" + escaped + "\"";
}
