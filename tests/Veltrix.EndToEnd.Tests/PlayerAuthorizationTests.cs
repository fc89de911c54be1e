using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// Issue 16, "who may do what", end to end on the running system: mallory tries every route there is to spend alice's
/// points — a claim in alice's name (without a token, with her own, with alice's token of another hunt), joining as
/// alice, answering as alice, the debit command straight at scoring (anonymous, with a player token, through the
/// sidecar without the sidecar token) and a replay of alice's debit id as her own — and alice's points stay where only
/// alice's own claim put them. Once per resources folder.
/// </summary>
public abstract class PlayerAuthorizationTests(SystemFixture fixture)
{
    [Fact]
    public async Task Nobody_spends_another_players_points_by_any_route()
    {
        var system = fixture.System;
        using var player = new HuntPlayer(system);
        var hunt = await player.CreateHuntAsync("authz", new PuzzleSpec("fifty?", "50", 50));
        var other = await player.CreateHuntAsync("authz-other", new PuzzleSpec("one?", "1", 1));
        Assert.Equal(HttpStatusCode.OK, (await player.AnswerAsync(hunt.Id, hunt.PuzzleIds[0], "alice", "50")).StatusCode);
        var mallory = await player.TokenAsync(hunt.Id, "mallory");
        var alicesOtherToken = await player.TokenAsync(other.Id, "alice");
        var scoring = system.Url("scoring");
        async Task<long> AlicesPointsAsync() => (await player.Http.GetFromJsonAsync<JsonElement>(new Uri(scoring, $"/ledgers/{hunt.Id}/alice"))).GetProperty("points").GetInt64();
        await Eventually.UntilAsync(async () => (await player.Http.GetAsync(new Uri(scoring, $"/ledgers/{hunt.Id}/alice"))).IsSuccessStatusCode, "alice's 50 points");
        Assert.Equal(50, await AlicesPointsAsync());

        using var create = new HttpRequestMessage(HttpMethod.Post, new Uri(system.Url("prizes"), "/prizes")) { Content = JsonContent.Create(new { name = "kite", cost = 10, stock = 5 }) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", system.OperatorToken);
        var prizeId = (await (await player.Http.SendAsync(create)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var claims = new Uri(system.Url("prizes"), $"/prizes/{prizeId}/claims");

        // 1. A claim in alice's name: without a token (401), with mallory's (403), with alice's token of another hunt (403).
        foreach (var (token, status) in new (string?, HttpStatusCode)[]
                 { (null, HttpStatusCode.Unauthorized), (mallory, HttpStatusCode.Forbidden), (alicesOtherToken, HttpStatusCode.Forbidden), ("vxp1.forged", HttpStatusCode.Forbidden) })
        {
            using var claim = PlayerJoin.Post(claims, new { playerId = "alice", huntId = hunt.Id }, token);
            using var refused = await player.Http.SendAsync(claim);
            await AssertProblemAsync(refused, status, "VX3014");
        }

        // 2. Joining as alice to get a token of her own: alice has joined, and her token was handed out that once.
        using var rejoin = await player.Http.PostAsJsonAsync(new Uri(system.Url("hunt"), $"/hunts/{hunt.Id}/players"), new { playerId = "alice" });
        await AssertProblemAsync(rejoin, HttpStatusCode.Conflict, "VX3015");
        Assert.DoesNotContain("vxp1.", await rejoin.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // 3. Acting as alice elsewhere: an answer at hunt and an event at the gateway with mallory's token are refused too.
        using (var answer = PlayerJoin.Post(new Uri(system.Url("hunt"), $"/hunts/{hunt.Id}/puzzles/{hunt.PuzzleIds[0]}/answers"), new { playerId = "alice", answer = "50" }, mallory))
            await AssertProblemAsync(await player.Http.SendAsync(answer), HttpStatusCode.Forbidden, "VX3014");
        var events = HuntPlayer.Events(hunt.Id, [("authz-as-alice", new Answer("alice", hunt.PuzzleIds[0], "50"))], _ => mallory);
        using (var ingest = await player.Http.PostAsync(new Uri(system.Url("gateway"), "/v1/events"), new StringContent(events, Encoding.UTF8, "application/json")))
        {
            var result = await ingest.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(0, result.GetProperty("accepted").GetInt32());
            Assert.Equal("VX3014", result.GetProperty("rejected")[0].GetProperty("code").GetString());
        }

        // 4. The debit command straight at scoring: anonymous, with mallory's token, even with alice's own token — a player
        //    token opens nothing there — and through the sidecar without the sidecar's API token.
        foreach (var bearer in new[] { null, mallory, await player.TokenAsync(hunt.Id, "alice") })
        {
            using var debit = PlayerJoin.Post(new Uri(scoring, $"/ledgers/{hunt.Id}/alice/debits"), new { debitId = "steal", amount = 50 }, bearer);
            await AssertProblemAsync(await player.Http.SendAsync(debit), HttpStatusCode.Unauthorized, "VX3008");
            using var cancel = PlayerJoin.Post(new Uri(scoring, $"/ledgers/{hunt.Id}/alice/debits/steal/cancel"), new { }, bearer);
            await AssertProblemAsync(await player.Http.SendAsync(cancel), HttpStatusCode.Unauthorized, "VX3008");
        }
        var invoke = new Uri($"http://127.0.0.1:{system.Apps()["prizes"].DaprHttpPort}/v1.0/invoke/scoring/method/ledgers/{hunt.Id}/");
        using (var viaSidecar = PlayerJoin.Post(new Uri(invoke, "alice/debits"), new { debitId = "steal", amount = 50 }, mallory))
            Assert.Equal(HttpStatusCode.Unauthorized, (await player.Http.SendAsync(viaSidecar)).StatusCode);
        Assert.Equal(50, await AlicesPointsAsync());

        // 5. Alice's own claim spends 10; then mallory's "replay" of alice's debit id (the claim id) as her own debit — as
        //    the workflow would send it, with the sidecar token — is a new debit of mallory's (she has nothing: refused),
        //    and cancelling it refunds nothing of alice's.
        var claimId = "alice-kite-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.Accepted, (await player.ClaimAsync(prizeId, hunt.Id, "alice", claimId)).StatusCode);
        await Eventually.UntilAsync(async () => (await player.Http.GetFromJsonAsync<JsonElement>(new Uri(claims + "/" + claimId))).GetProperty("status").GetString() == "COMPLETED",
            "alice's claim to complete");
        Assert.Equal(40, await AlicesPointsAsync());
        // Anyone may follow the claim, but only alice sees her voucher (the prize itself).
        Assert.Equal(JsonValueKind.Null, (await player.Http.GetFromJsonAsync<JsonElement>(new Uri(claims + "/" + claimId))).GetProperty("voucher").ValueKind);
        using (var asMallory = new HttpRequestMessage(HttpMethod.Get, new Uri(claims + "/" + claimId)))
        {
            asMallory.Headers.Authorization = new AuthenticationHeaderValue("Bearer", mallory);
            Assert.Equal(JsonValueKind.Null, (await (await player.Http.SendAsync(asMallory)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("voucher").ValueKind);
        }
        using (var asAlice = new HttpRequestMessage(HttpMethod.Get, new Uri(claims + "/" + claimId)))
        {
            asAlice.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await player.TokenAsync(hunt.Id, "alice"));
            Assert.StartsWith("VX-", (await (await player.Http.SendAsync(asAlice)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("voucher").GetString(), StringComparison.Ordinal);
        }
        async Task<HttpResponseMessage> InvokeAsync(string path, object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(invoke, path)) { Content = JsonContent.Create(body) };
            request.Headers.Add("dapr-api-token", system.DaprApiToken);
            return await player.Http.SendAsync(request);
        }
        await AssertProblemAsync(await InvokeAsync("mallory/debits", new { debitId = claimId, amount = 10 }), HttpStatusCode.Conflict, "VX6103");
        using (var cancelled = await InvokeAsync($"mallory/debits/{claimId}/cancel", new { }))
        {
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
            var settled = await cancelled.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("mallory", settled.GetProperty("playerId").GetString());
            Assert.Equal("Rejected", settled.GetProperty("outcome").GetString()); // her own refused debit: nothing to give back
        }
        // The same id in another hunt is another debit too (alice has no points there).
        await AssertProblemAsync(await InvokeAsync($"/v1.0/invoke/scoring/method/ledgers/{other.Id}/alice/debits", new { debitId = claimId, amount = 10 }),
            HttpStatusCode.Conflict, "VX6103");

        Assert.Equal(40, await AlicesPointsAsync());
        await player.AssertLeaderboardAsync(hunt.Id, [("alice", 40, 1)]);
    }

    /// <summary>
    /// A client whose join answer was lost sends the join again with the same idempotency key and gets the same token
    /// (200), which answers as that player; a join of the same player with another key or none gets 409 VX3015 and no
    /// token; a malformed key is 400 VX3017 and writes nothing (the player id stays free).
    /// </summary>
    [Fact]
    public async Task A_join_repeats_with_its_idempotency_key_and_only_with_it()
    {
        var system = fixture.System;
        using var player = new HuntPlayer(system);
        var hunt = await player.CreateHuntAsync("rejoin", new PuzzleSpec("seven?", "7", 7));
        var huntUrl = system.Url("hunt");
        async Task<HttpResponseMessage> JoinAsync(string playerId, string? key)
        {
            using var request = PlayerJoin.Request(huntUrl, hunt.Id, playerId, key);
            return await player.Http.SendAsync(request);
        }
        static async Task<string> TokenOfAsync(HttpResponseMessage response) =>
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        var key = PlayerJoin.NewIdempotencyKey();
        using var first = await JoinAsync("bob", key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var token = await TokenOfAsync(first);
        Assert.StartsWith("vxp1.", token, StringComparison.Ordinal);
        for (var repeat = 0; repeat < 2; repeat++)
        {
            using var again = await JoinAsync("bob", key);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(token, await TokenOfAsync(again));
        }
        using (var answer = PlayerJoin.Post(new Uri(huntUrl, $"/hunts/{hunt.Id}/puzzles/{hunt.PuzzleIds[0]}/answers"), new { playerId = "bob", answer = "7" }, token))
        using (var answered = await player.Http.SendAsync(answer))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            Assert.True((await answered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("correct").GetBoolean());
        }

        // Anybody else — another key (even one differing in its last character), or none — learns nothing.
        foreach (var other in new[] { PlayerJoin.NewIdempotencyKey(), key[..^1] + (key[^1] == 'A' ? 'B' : 'A'), null })
        {
            using var refused = await JoinAsync("bob", other);
            await AssertProblemAsync(refused, HttpStatusCode.Conflict, "VX3015");
            Assert.DoesNotContain("vxp1.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Malformed keys, for a player that has not joined: refused before anything is written, so carol can still join.
        foreach (var malformed in new[] { new string('k', 31), new string('k', 201), new string('k', 20) + " " + new string('k', 20), new string('k', 20) + "\t" + new string('k', 20) })
        {
            using var refused = await JoinAsync("carol", malformed);
            await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "VX3017");
            Assert.DoesNotContain("vxp1.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using var carol = await JoinAsync("carol", PlayerJoin.NewIdempotencyKey());
        Assert.Equal(HttpStatusCode.Created, carol.StatusCode);
        Assert.NotEqual(token, await TokenOfAsync(carol));
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
    }
}

[Collection(nameof(EmbeddedSystem))]
public sealed class PlayerAuthorizationOnEmbeddedTests(EmbeddedSystemFixture fixture) : PlayerAuthorizationTests(fixture);

[Collection(nameof(RabbitMqSystem))]
public sealed class PlayerAuthorizationOnRabbitMqAndPostgresTests(RabbitMqSystemFixture fixture) : PlayerAuthorizationTests(fixture);
