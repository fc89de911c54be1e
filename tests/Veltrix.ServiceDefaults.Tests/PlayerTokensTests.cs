using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Veltrix.ServiceDefaults.Security;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>
/// Player tokens (issue 16): a token proves exactly one (hunt, player) pair under the run's key, and nothing else; without
/// a key nothing is issued or accepted. And the sidecar-only debit shape: app token required, closed without one.
/// </summary>
public sealed class PlayerTokensTests
{
    private const string Operator = "operator-token-0123456789abcdef";

    private static PlayerTokens With(params (string Key, string? Value)[] settings) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void A_token_proves_its_hunt_and_player_and_no_other()
    {
        var tokens = With((OperatorTokenExtensions.TokenVariable, Operator));
        var alice = tokens.Issue("h1", "alice");
        Assert.Equal(PlayerTokenCheck.Valid, tokens.Check(alice, "h1", "alice"));
        Assert.Equal(PlayerTokenCheck.Wrong, tokens.Check(alice, "h1", "mallory"));
        Assert.Equal(PlayerTokenCheck.Wrong, tokens.Check(alice, "h2", "alice"));
        // The separator cannot be shifted: ("h1\nalice") is not a valid id anyway, and ("h1", "alice") ≠ ("h1a", "lice").
        Assert.Equal(PlayerTokenCheck.Wrong, tokens.Check(alice, "h1a", "lice"));
        Assert.Equal(PlayerTokenCheck.Missing, tokens.Check(null, "h1", "alice"));
        Assert.Equal(PlayerTokenCheck.Missing, tokens.Check("", "h1", "alice"));
        Assert.NotEqual(alice, tokens.Issue("h1", "alice")); // a fresh nonce each time: a token says nothing about the next
        foreach (var forged in new[] { "vxp1.x", alice[..^1] + (alice[^1] == 'A' ? 'B' : 'A'), alice.Replace("vxp1.", "vxp2.", StringComparison.Ordinal), alice + "=", "x" + alice[1..] })
            Assert.Equal(PlayerTokenCheck.Wrong, tokens.Check(forged, "h1", "alice"));
    }

    [Fact]
    public void A_token_is_made_again_from_its_nonce_for_its_pair_only()
    {
        var tokens = With((OperatorTokenExtensions.TokenVariable, Operator));
        var alice = tokens.Issue("h1", "alice");
        var nonce = PlayerTokens.NonceOf(alice);
        Assert.Equal(alice, tokens.Reissue("h1", "alice", nonce)); // a repeated join hands out the very token of the first
        // The nonce makes a token only with the key and only for its own pair: for mallory it is mallory's token, not alice's.
        var mallorys = tokens.Reissue("h1", "mallory", nonce);
        Assert.NotEqual(alice, mallorys);
        Assert.Equal(PlayerTokenCheck.Wrong, tokens.Check(mallorys, "h1", "alice"));
        // Without this run's key the nonce is worth nothing: another key makes a token this run refuses.
        Assert.Equal(PlayerTokenCheck.Wrong, tokens.Check(With((OperatorTokenExtensions.TokenVariable, Operator + "x")).Reissue("h1", "alice", nonce), "h1", "alice"));
        foreach (var bad in new[] { "", "short", nonce + "A", nonce[..^1] + "!" })
            Assert.Throws<FormatException>(() => tokens.Reissue("h1", "alice", bad));
    }

    [Fact]
    public void Only_the_same_key_verifies_and_the_derived_key_is_not_the_operator_token()
    {
        var derived = With((OperatorTokenExtensions.TokenVariable, Operator));
        var otherRun = With((OperatorTokenExtensions.TokenVariable, Operator + "x"));
        var ownKey = With((PlayerTokens.KeyVariable, new string('k', 32)), (OperatorTokenExtensions.TokenVariable, Operator));
        var sameOwnKey = With((PlayerTokens.KeyVariable, new string('k', 32)));
        var operatorAsKey = With((PlayerTokens.KeyVariable, Operator + "0123"));
        var token = derived.Issue("h", "p");
        Assert.Equal(PlayerTokenCheck.Valid, With((OperatorTokenExtensions.TokenVariable, Operator)).Check(token, "h", "p"));
        Assert.Equal(PlayerTokenCheck.Wrong, otherRun.Check(token, "h", "p"));
        Assert.Equal(PlayerTokenCheck.Wrong, ownKey.Check(token, "h", "p")); // VELTRIX_PLAYER_TOKEN_KEY wins over the derivation
        Assert.Equal(PlayerTokenCheck.Valid, sameOwnKey.Check(ownKey.Issue("h", "p"), "h", "p"));
        Assert.Equal(PlayerTokenCheck.Wrong, operatorAsKey.Check(With((OperatorTokenExtensions.TokenVariable, Operator + "0123")).Issue("h", "p"), "h", "p"));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, "short")]
    [InlineData("shorter-than-32-characters", Operator)]
    public void Without_a_strong_key_player_routes_are_closed(string? key, string? operatorToken)
    {
        var tokens = With((PlayerTokens.KeyVariable, key), (OperatorTokenExtensions.TokenVariable, operatorToken));
        Assert.NotNull(tokens.ClosedBecause);
        Assert.Equal(PlayerTokenCheck.Closed, tokens.Check("vxp1.anything", "h", "p"));
        Assert.Throws<InvalidOperationException>(() => tokens.Issue("h", "p"));
    }

    [Fact]
    public async Task A_sidecar_only_command_needs_the_app_token_and_is_closed_without_one()
    {
        Action<WebApplication> Map = app => app.MapPost("/debits", () => "taken").RequireDaprAppTokenOrClose(app.Services);
        await using (var withToken = await TestService.StartAsync(Map, settings: new Dictionary<string, string?> { ["APP_API_TOKEN"] = "app-token-0123456789" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await withToken.Http.PostAsJsonAsync("/debits", new { })).StatusCode);
            using var player = new HttpRequestMessage(HttpMethod.Post, "/debits") { Content = JsonContent.Create(new { }) };
            player.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "app-token-0123456789");
            Assert.Equal(HttpStatusCode.Unauthorized, (await withToken.Http.SendAsync(player)).StatusCode); // a bearer token is not the app token
            using var sidecar = new HttpRequestMessage(HttpMethod.Post, "/debits") { Content = JsonContent.Create(new { }) };
            sidecar.Headers.Add("dapr-api-token", "app-token-0123456789");
            Assert.Equal(HttpStatusCode.OK, (await withToken.Http.SendAsync(sidecar)).StatusCode);
        }
        await using var without = await TestService.StartAsync(Map);
        using var anyone = new HttpRequestMessage(HttpMethod.Post, "/debits") { Content = JsonContent.Create(new { }) };
        anyone.Headers.Add("dapr-api-token", "whatever");
        var closed = await without.Http.SendAsync(anyone);
        Assert.Equal(HttpStatusCode.Unauthorized, closed.StatusCode);
        Assert.Equal("VX3008", (await TestService.ReadProblemAsync(closed)).GetProperty("code").GetString());
    }
}
