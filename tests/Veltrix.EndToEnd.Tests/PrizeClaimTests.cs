using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Workflow;
using Dapr.Workflow.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// Prize claims as Dapr workflows end to end, as real processes (the official Dapr.Workflow worker in prizes, the dev
/// sidecar's workflow engine, scoring called through service invocation): 200 concurrent claims on 50 units by players
/// with mixed balances — once undisturbed, once with the prizes process killed (kill -9) again and again — on both
/// resources folders. Whatever happens, the stock is never oversold (completed claims + stock left = 50), every
/// completed claim is debited exactly once, every failed claim leaves the player's points and the stock as they were,
/// and every claim ends within a bound.
/// </summary>
public sealed class PrizeClaimsOnEmbeddedTests(PrizeClaimsOnEmbeddedTests.Fixture fixture) : PrizeClaimTests(fixture), IClassFixture<PrizeClaimsOnEmbeddedTests.Fixture>
{
    public sealed class Fixture() : PrizeSystemFixture(SystemComponents.Embedded);
}

public sealed class PrizeClaimsOnRabbitMqAndPostgresTests(PrizeClaimsOnRabbitMqAndPostgresTests.Fixture fixture)
    : PrizeClaimTests(fixture), IClassFixture<PrizeClaimsOnRabbitMqAndPostgresTests.Fixture>
{
    public sealed class Fixture() : PrizeSystemFixture(SystemComponents.RabbitMqAndPostgres);
}

public abstract class PrizeClaimTests(PrizeClaimTests.PrizeSystemFixture fixture)
{
    private const int Cost = 30;
    private const int Stock = 50;
    private const int Claims = 200;
    private const int ClaimsPerPlayer = 5;

    /// <summary>The system with every voucher's first issue attempt failing transiently, so each completed claim shows a retry.</summary>
    public abstract class PrizeSystemFixture(SystemComponents components) : IAsyncLifetime
    {
        public RunningSystem System { get; private set; } = null!;
        public string Token { get; private set; } = "";

        public async ValueTask InitializeAsync()
        {
            // AppHost hands its environment to the apps (and to restarted ones); only this run's prizes reads the setting.
            System = await RunningSystem.StartAsync(AspireTestingHost.Starter(), components,
                environment: new Dictionary<string, string?> { ["Prizes__Claims__VoucherTransientFailures"] = "1" });
            Token = System.OperatorToken;
        }

        public async ValueTask DisposeAsync()
        {
            if (System is not null) await System.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_hundred_concurrent_claims_on_fifty_units_never_oversell_and_debit_each_completed_claim_once()
    {
        var run = await ClaimRun.PrepareAsync(fixture, "calm");
        await Task.WhenAll(run.ClaimIds.Select(run.ClaimAsync));
        await run.AssertInvariantsAsync();
    }

    [Fact]
    public async Task Killing_the_prizes_process_repeatedly_during_the_claims_keeps_every_invariant_and_leaves_no_claim_stuck()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = await ClaimRun.PrepareAsync(fixture, "killed");
        TestContext.Current.TestOutputHelper?.WriteLine($"prepared at {clock.Elapsed}");
        // Four waves of 50 concurrent claims; prizes is killed in the middle of each of the first three.
        var waves = run.ClaimIds.Chunk(Claims / 4).ToList();
        var sending = new List<Task>();
        var unfinishedAtKills = 0;
        for (var w = 0; w < waves.Count; w++)
        {
            var accepted = 0;
            sending.Add(Task.WhenAll(waves[w].Select(async id =>
            {
                await run.ClaimAsync(id);
                Interlocked.Increment(ref accepted);
            })));
            if (w == waves.Count - 1) break;
            Assert.True(await Eventually.TryAsync(() => Task.FromResult(Volatile.Read(ref accepted) >= 10), TimeSpan.FromSeconds(120)),
                $"wave {w}: only {Volatile.Read(ref accepted)} claims accepted in 120 s; answers so far: {run.Answers}");
            unfinishedAtKills += (w + 1) * waves[w].Length - await run.SettledCountAsync();
            var killed = fixture.System.Kill("prizes");
            await Eventually.UntilAsync(() => fixture.System.Apps()["prizes"].Pid is var pid && pid != killed && pid != 0, "AppHost to restart prizes", TimeSpan.FromSeconds(90));
            await fixture.System.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            TestContext.Current.TestOutputHelper?.WriteLine($"wave {w}: killed and back at {clock.Elapsed}");
        }
        await Task.WhenAll(sending);
        TestContext.Current.TestOutputHelper?.WriteLine($"all sent at {clock.Elapsed}");
        Assert.True(unfinishedAtKills > 0, "the kills should have caught claims in flight");
        await run.AssertInvariantsAsync();
        TestContext.Current.TestOutputHelper?.WriteLine($"checked at {clock.Elapsed} ({unfinishedAtKills} claims unfinished at the kills)");
    }

    [Fact]
    public async Task The_debit_command_is_reached_through_service_invocation_only_is_idempotent_refunds_once_and_the_prize_api_names_its_errors()
    {
        using var player = new HuntPlayer(fixture.System);
        var hunt = await player.CreateHuntAsync("debits", new PuzzleSpec("fifty?", "50", 50));
        Assert.Equal(HttpStatusCode.OK, (await player.AnswerAsync(hunt.Id, hunt.PuzzleIds[0], "dora", "50")).StatusCode);
        var scoring = fixture.System.Url("scoring");
        await Eventually.UntilAsync(async () => (await player.Http.GetAsync(new Uri(scoring, $"/ledgers/{hunt.Id}/dora"))).IsSuccessStatusCode, "dora's 50 points");
        async Task<int> PointsAsync() => (await player.Http.GetFromJsonAsync<JsonElement>(new Uri(scoring, $"/ledgers/{hunt.Id}/dora"))).GetProperty("points").GetInt32();

        // Straight to scoring, without the sidecar's app token: nobody spends dora's points.
        var anonymous = await player.Http.PostAsJsonAsync(new Uri(scoring, $"/ledgers/{hunt.Id}/dora/debits"), new { debitId = "x", amount = 50 });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(50, await PointsAsync());

        // As prizes calls it: Dapr service invocation through the sidecar (which adds scoring's app token).
        var invoke = new Uri($"http://127.0.0.1:{fixture.System.Apps()["prizes"].DaprHttpPort}/v1.0/invoke/scoring/method/ledgers/{hunt.Id}/dora/debits/");
        async Task<HttpResponseMessage> InvokeAsync(string path, object? body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(invoke, path)) { Content = JsonContent.Create(body) };
            request.Headers.Add("dapr-api-token", fixture.System.DaprApiToken);
            return await player.Http.SendAsync(request);
        }

        var first = await InvokeAsync("", new { debitId = "d1", amount = 30 });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(20, (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balance").GetInt32());
        var repeat = await InvokeAsync("", new { debitId = "d1", amount = 30 }); // the same debit again (an activity run twice): nothing more is taken
        Assert.Equal(20, (await repeat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balance").GetInt32());
        var refused = await InvokeAsync("", new { debitId = "d2", amount = 30 });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("VX6103", problem.GetProperty("code").GetString());
        Assert.Contains("20 points", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(20, await PointsAsync());

        // The compensation: refunded once, however often it is asked for; the debit id is spent for good.
        for (var i = 0; i < 2; i++)
        {
            var refund = await InvokeAsync("d1/cancel", null);
            Assert.Equal(HttpStatusCode.OK, refund.StatusCode);
            Assert.Equal("Refunded", (await refund.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
            Assert.Equal(50, await PointsAsync());
        }
        var spent = await InvokeAsync("", new { debitId = "d1", amount = 30 });
        Assert.Equal(HttpStatusCode.Conflict, spent.StatusCode);
        Assert.Equal("VX6104", (await spent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(50, await PointsAsync());
        await Eventually.UntilAsync(async () =>
            (await player.Http.GetFromJsonAsync<JsonElement>(new Uri(fixture.System.Url("leaderboard"), $"/leaderboard/{hunt.Id}")))
                .GetProperty("entries").EnumerateArray().Any(e => e.GetProperty("playerId").GetString() == "dora" && e.GetProperty("points").GetInt32() == 50),
            "the leaderboard to show dora's 50 points after the debit and its refund");

        var prizes = fixture.System.Url("prizes");
        Assert.Equal(HttpStatusCode.Unauthorized, (await player.Http.PostAsJsonAsync(new Uri(prizes, "/prizes"), new { name = "x", cost = 1, stock = 1 })).StatusCode);
        using var invalid = new HttpRequestMessage(HttpMethod.Post, new Uri(prizes, "/prizes")) { Content = JsonContent.Create(new { name = "", cost = 1, stock = 1 }) };
        invalid.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Token);
        var rejected = await player.Http.SendAsync(invalid);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal("VX3002", (await rejected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var unknown = await player.ClaimAsync("nope", hunt.Id, "dora");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("VX6101", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // A claim id names one claim: the same request again is the same claim, another player's request with it is refused.
        using var create = new HttpRequestMessage(HttpMethod.Post, new Uri(prizes, "/prizes")) { Content = JsonContent.Create(new { name = "lamp", cost = 10, stock = 5 }) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Token);
        var prizeId = (await (await player.Http.SendAsync(create)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var claimId = "dora-lamp-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 2; i++)
        {
            var accepted = await player.ClaimAsync(prizeId!, hunt.Id, "dora", claimId);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            Assert.Equal(claimId, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString());
        }
        var taken = await player.ClaimAsync(prizeId!, hunt.Id, "eve", claimId);
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal("VX6107", (await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var badId = await player.ClaimAsync(prizeId!, hunt.Id, "dora", "a||b");
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        await Eventually.UntilAsync(async () => (await player.Http.GetFromJsonAsync<JsonElement>(new Uri(prizes, $"/prizes/{prizeId}/claims/{claimId}")))
            .GetProperty("status").GetString() == "COMPLETED", "dora's single lamp claim to complete");
        Assert.Equal(40, await PointsAsync());

        // Dapr's workflow API on the sidecar shows the same claim (what docs/treasure-hunt.md tells operators to curl).
        using var workflow = new HttpRequestMessage(HttpMethod.Get,
            new Uri($"http://127.0.0.1:{fixture.System.Apps()["prizes"].DaprHttpPort}/v1.0/workflows/dapr/{claimId}"));
        workflow.Headers.Add("dapr-api-token", fixture.System.DaprApiToken);
        var shown = await (await player.Http.SendAsync(workflow)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ClaimWorkflow", shown.GetProperty("workflowName").GetString());
        Assert.Equal("COMPLETED", shown.GetProperty("runtimeStatus").GetString());
        Assert.Contains("VX-", shown.GetProperty("properties").GetProperty("dapr.workflow.output").GetString(), StringComparison.Ordinal);
    }

    /// <summary>One hunt with players of known balances, one prize, and 200 claim ids (the client's, so retried requests start nothing twice).</summary>
    private sealed class ClaimRun
    {
        private readonly PrizeSystemFixture _fixture;
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _answers = new(StringComparer.Ordinal);

        /// <summary>What the claim requests got so far, by status code or exception (for failure messages).</summary>
        public string Answers => string.Join(", ", _answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}×{a.Value}"));

        private ClaimRun(PrizeSystemFixture fixture) => _fixture = fixture;

        public string HuntId { get; private set; } = "";
        public string PrizeId { get; private set; } = "";
        public Dictionary<string, int> Balances { get; } = new(StringComparer.Ordinal);
        public List<string> ClaimIds { get; } = [];
        private readonly Dictionary<string, string> _playerOf = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _tokenOf = new(StringComparer.Ordinal);

        private Uri Prizes(string path) => new(_fixture.System.Url("prizes"), path);

        public static async Task<ClaimRun> PrepareAsync(PrizeSystemFixture fixture, string name)
        {
            var run = new ClaimRun(fixture);
            using var player = new HuntPlayer(fixture.System);
            // Puzzles worth 10, 20, 30 and 40: solving a chosen subset gives each player a known balance.
            var hunt = await player.CreateHuntAsync($"prizes-{name}", new PuzzleSpec("ten?", "10", 10), new PuzzleSpec("twenty?", "20", 20),
                new PuzzleSpec("thirty?", "30", 30), new PuzzleSpec("forty?", "40", 40));
            run.HuntId = hunt.Id;
            int[][] solved = [[0], [2], [2, 3], [0, 1, 2, 3], [0, 1, 2, 3]]; // 10, 30, 70, 100, 100 points: 0, 1, 2, 3, 3 prizes affordable
            int[] points = [10, 20, 30, 40];
            for (var p = 0; p < Claims / ClaimsPerPlayer; p++)
            {
                var playerId = $"{name}-p{p:00}";
                var subset = solved[p % solved.Length];
                run.Balances[playerId] = subset.Sum(i => points[i]);
                run._tokenOf[playerId] = await player.TokenAsync(hunt.Id, playerId);
                foreach (var i in subset)
                {
                    using var answer = await player.AnswerAsync(hunt.Id, hunt.PuzzleIds[i], playerId, points[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
                    Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                }
                for (var c = 0; c < ClaimsPerPlayer; c++)
                {
                    var claimId = $"{playerId}-c{c}";
                    run.ClaimIds.Add(claimId);
                    run._playerOf[claimId] = playerId;
                }
            }
            foreach (var (playerId, balance) in run.Balances)
                await Eventually.UntilAsync(async () => await run.LedgerPointsAsync(playerId) == balance, $"scoring to award {playerId} {balance} points", TimeSpan.FromSeconds(30));

            using var create = new HttpRequestMessage(HttpMethod.Post, run.Prizes("/prizes")) { Content = JsonContent.Create(new { name = $"golden compass ({name})", cost = Cost, stock = Stock }) };
            create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Token);
            var created = await run._http.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            run.PrizeId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            return run;
        }

        /// <summary>Claims like a client that retries, with the same claim id, until the service accepts (it may be down).</summary>
        public async Task ClaimAsync(string claimId)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var request = PlayerJoin.Post(Prizes($"/prizes/{PrizeId}/claims"), new { playerId = _playerOf[claimId], huntId = HuntId, claimId },
                        _tokenOf[_playerOf[claimId]]);
                    var response = await _http.SendAsync(request);
                    _answers.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        Assert.Equal(claimId, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString());
                        return;
                    }
                    Assert.True((int)response.StatusCode >= 500, $"claim {claimId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // the process is down or restarting: send the same claim again
                    _answers.AddOrUpdate(e.GetType().Name, 1, (_, n) => n + 1);
                }
                Assert.True(attempt < 600, $"claim {claimId} was never accepted");
                await Task.Delay(100);
            }
        }

        /// <summary>Claims that ended, as the claim API shows them (0 while prizes restarts).</summary>
        public async Task<int> SettledCountAsync()
        {
            var ended = 0;
            foreach (var id in ClaimIds)
                if (await ReadClaimAsync(id) is { } claim && claim.GetProperty("status").GetString() is "COMPLETED" or "COMPENSATED" or "FAILED") ended++;
            return ended;
        }

        /// <summary>A claim's workflow history, read with the official client from prizes' sidecar (as an operator would).</summary>
        private async Task<IReadOnlyList<WorkflowHistoryEvent>> ClaimHistoryAsync(string claimId)
        {
            var prizes = _fixture.System.Apps()["prizes"];
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{prizes.DaprGrpcPort}";
            builder.Configuration["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{prizes.DaprHttpPort}";
            builder.Configuration["DAPR_API_TOKEN"] = _fixture.System.DaprApiToken;
            builder.Logging.ClearProviders();
            builder.Services.AddDaprWorkflow(_ => { });
            builder.Services.RemoveAll<IHostedService>(); // the client only: no worker competing with prizes for its work items
            using var host = builder.Build();
            var client = host.Services.GetRequiredService<DaprWorkflowClient>();
            return [.. await client.GetInstanceHistoryAsync(claimId)];
        }

        private async Task<int> LedgerPointsAsync(string playerId)
        {
            var response = await _http.GetAsync(new Uri(_fixture.System.Url("scoring"), $"/ledgers/{HuntId}/{playerId}"));
            return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("points").GetInt32() : -1;
        }

        private async Task<JsonElement?> ReadClaimAsync(string claimId)
        {
            try
            {
                // As the claim's player (its token), who alone sees the voucher.
                using var request = new HttpRequestMessage(HttpMethod.Get, Prizes($"/prizes/{PrizeId}/claims/{claimId}"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokenOf[_playerOf[claimId]]);
                var response = await _http.SendAsync(request);
                return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return null;
            }
        }

        public async Task AssertInvariantsAsync()
        {
            // Bounded: every claim ends (no claim stuck RUNNING or PENDING) within the deadline.
            var claims = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            string[] terminal = ["COMPLETED", "COMPENSATED", "FAILED"];
            var unfinished = new Dictionary<string, string>(StringComparer.Ordinal);
            var finished = await Eventually.TryAsync(async () =>
            {
                unfinished.Clear();
                foreach (var id in ClaimIds.Where(id => !claims.ContainsKey(id)))
                {
                    var claim = await ReadClaimAsync(id);
                    if (claim is { } c && terminal.Contains(c.GetProperty("status").GetString())) claims[id] = c;
                    else unfinished[id] = claim?.GetProperty("status").GetString() ?? "unreadable";
                }
                return claims.Count == ClaimIds.Count;
            }, TimeSpan.FromSeconds(120));
            Assert.True(finished, $"claims still unfinished after 120 s: {string.Join(", ", unfinished.Take(10).Select(u => $"{u.Key}={u.Value}"))}");

            var completed = claims.Values.Where(c => c.GetProperty("status").GetString() == "COMPLETED").ToList();
            var prize = await (await _http.GetAsync(Prizes($"/prizes/{PrizeId}"))).Content.ReadFromJsonAsync<JsonElement>();
            var stockLeft = prize.GetProperty("stock").GetInt32();
            Assert.Equal(Stock, completed.Count + stockLeft); // never oversold, and every failed claim gave its unit back
            Assert.True(completed.Count > 0);

            // Failures name their cause: out of stock (nothing to undo) or too few points (the reservation released).
            foreach (var failed in claims.Values.Where(c => c.GetProperty("status").GetString() != "COMPLETED"))
            {
                var (status, code) = (failed.GetProperty("status").GetString(), failed.GetProperty("failureCode").GetString());
                Assert.True((status, code) is ("FAILED", "VX6102") or ("COMPENSATED", "VX6103"), $"unexpected end of a claim: {failed}");
            }
            Assert.Contains(claims.Values, c => c.GetProperty("failureCode").GetString() == "VX6103");

            // Each completed claim has its own voucher; each was debited exactly once, each failed one not at all.
            Assert.Equal(completed.Count, completed.Select(c => c.GetProperty("voucher").GetString()).Distinct().Count());
            foreach (var (playerId, balance) in Balances)
            {
                var won = completed.Count(c => c.GetProperty("playerId").GetString() == playerId);
                Assert.True(won * Cost <= balance, $"{playerId} won {won} prizes with {balance} points");
                var expected = balance - won * Cost;
                Assert.Equal(expected, await LedgerPointsAsync(playerId));
            }

            // The leaderboard shows the totals after the debits.
            await Eventually.UntilAsync(async () =>
            {
                var board = await _http.GetFromJsonAsync<JsonElement>(new Uri(_fixture.System.Url("leaderboard"), $"/leaderboard/{HuntId}"));
                var totals = board.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("playerId").GetString()!, e => e.GetProperty("points").GetInt32());
                return Balances.All(b => totals.TryGetValue(b.Key, out var t) && t == b.Value - completed.Count(c => c.GetProperty("playerId").GetString() == b.Key) * Cost);
            }, "the leaderboard to show every player's points after the debits", TimeSpan.FromSeconds(30));

            // prize.claimed reached the leaderboard: its list holds the newest completed claims (at most 20), without vouchers.
            var completedIds = completed.Select(c => c.GetProperty("instanceId").GetString()).ToHashSet();
            await Eventually.UntilAsync(async () =>
            {
                var listed = await _http.GetFromJsonAsync<JsonElement>(new Uri(_fixture.System.Url("leaderboard"), $"/leaderboard/{HuntId}/claims"));
                var entries = listed.EnumerateArray().ToList();
                Assert.All(entries, e => Assert.False(e.TryGetProperty("voucher", out _)));
                Assert.All(entries, e => Assert.Contains(e.GetProperty("claimId").GetString(), completedIds));
                return entries.Count == Math.Min(20, completed.Count) && entries.Select(e => e.GetProperty("claimId").GetString()).Distinct().Count() == entries.Count;
            }, "the leaderboard to list the newest completed claims", TimeSpan.FromSeconds(30));

            // Every voucher's first attempt fails (fault injection): each completed claim's workflow history shows the
            // failed activity and the retry timer the SDK's WorkflowRetryPolicy created before the attempt that succeeded.
            var history = await ClaimHistoryAsync(completed[0].GetProperty("instanceId").GetString()!);
            Assert.Contains(history, e => e.EventType == WorkflowHistoryEventType.TaskFailed);
            Assert.Contains(history, e => e.EventType == WorkflowHistoryEventType.TimerCreated);
            Assert.Equal(1, history.Count(e => e.EventType == WorkflowHistoryEventType.ExecutionCompleted));
        }
    }
}
