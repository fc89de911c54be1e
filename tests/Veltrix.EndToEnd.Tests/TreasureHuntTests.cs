using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// The treasure hunt end to end: gateway → hunt → scoring → leaderboard, through the sidecar, as real processes —
/// once on each resources folder the repository ships for the dev sidecar (the subclasses below).
/// </summary>
public abstract class TreasureHuntTests(SystemFixture fixture)
{
    protected static readonly PuzzleSpec[] ThreePuzzles =
    [
        new("What has keys but no locks?", "A piano", 10),
        new("What gets wetter the more it dries?", "towel", 20),
        new("What has a neck but no head?", "Bottle", 30),
    ];

    [Fact]
    public async Task A_scripted_hunt_with_wrong_and_repeated_answers_gives_the_exact_leaderboard()
    {
        using var player = new HuntPlayer(fixture.System);
        var hunt = await player.CreateHuntAsync("scripted", ThreePuzzles);
        var (p1, p2, p3) = (hunt.PuzzleIds[0], hunt.PuzzleIds[1], hunt.PuzzleIds[2]);
        await player.SubmitAsync(hunt.Id,
        [
            new("alice", p1, "a piano"), new("alice", p2, "  TOWEL "), new("alice", p3, "bottle"),   // all three: 60
            new("alice", p1, "A Piano"),                                                               // repeat: nothing more
            new("bob", p1, "piano"), new("bob", p1, "A PIANO"), new("bob", p2, "towel"),              // wrong, then 10 + 20
            new("carol", p3, "bottle"), new("carol", p1, "keyboard"),                                  // 30
            new("dave", p2, "sponge"), new("dave", p3, "giraffe"),                                     // nothing
            new("erin", p2, "Towel"), new("erin", p1, "a piano"),                                      // 30
        ]);
        // bob, carol and erin tie at 30: they share rank 2, sorted by player id; the next rank would be 5.
        await player.AssertLeaderboardAsync(hunt.Id, [("alice", 60, 1), ("bob", 30, 2), ("carol", 30, 2), ("erin", 30, 2)]);
    }

    [Fact]
    public async Task Answers_through_the_hunt_api_count_once_per_player_and_puzzle()
    {
        using var player = new HuntPlayer(fixture.System);
        var hunt = await player.CreateHuntAsync("direct", ThreePuzzles);
        async Task<bool> AnswerAsync(string playerId, string puzzleId, string text)
        {
            using var response = await player.AnswerAsync(hunt.Id, puzzleId, playerId, text);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("correct").GetBoolean();
        }
        Assert.False(await AnswerAsync("zoe", hunt.PuzzleIds[1], "sponge"));
        Assert.True(await AnswerAsync("zoe", hunt.PuzzleIds[1], "TOWEL"));
        Assert.True(await AnswerAsync("zoe", hunt.PuzzleIds[1], "towel"));   // still correct, but scored once
        Assert.True(await AnswerAsync("yann", hunt.PuzzleIds[0], " a piano "));
        await player.AssertLeaderboardAsync(hunt.Id, [("zoe", 20, 1), ("yann", 10, 2)]);
    }

    [Fact]
    public async Task A_hunt_never_gives_its_answers_away_and_unknown_ids_are_404_problems()
    {
        using var player = new HuntPlayer(fixture.System);
        var hunt = await player.CreateHuntAsync("secretive", ThreePuzzles);
        var hunts = fixture.System.Url("hunt");
        var view = await player.Http.GetStringAsync(new Uri(hunts, $"/hunts/{hunt.Id}"));
        Assert.Contains("What has keys but no locks?", view, StringComparison.Ordinal);
        foreach (var secret in (string[])["piano", "towel", "Bottle", "answer"])
            Assert.DoesNotContain(secret, view, StringComparison.OrdinalIgnoreCase);

        foreach (var response in (HttpResponseMessage[])[await player.Http.GetAsync(new Uri(hunts, "/hunts/nope")),
                     await player.AnswerAsync(hunt.Id, "p99", "x", "y")])
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("VX3007", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
        // Nobody can join a hunt that does not exist, so nobody holds a token to answer it: the answer is refused as anonymous.
        var joinNope = await player.Http.PostAsJsonAsync(new Uri(hunts, "/hunts/nope/players"), new { playerId = "x" });
        Assert.Equal(HttpStatusCode.NotFound, joinNope.StatusCode);
        var answerNope = await player.Http.PostAsJsonAsync(new Uri(hunts, "/hunts/nope/puzzles/p1/answers"), new { playerId = "x", answer = "y" });
        Assert.Equal(HttpStatusCode.Unauthorized, answerNope.StatusCode);
        Assert.Equal("VX3014", (await answerNope.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Ten_thousand_answers_in_batches_give_the_exact_leaderboard()
    {
        using var player = new HuntPlayer(fixture.System);
        var (hunt, answers, expected) = await LargeHuntAsync(player, "ten-thousand", seed: 7);
        await player.SubmitAsync(hunt.Id, answers);
        await player.AssertLeaderboardAsync(hunt.Id, expected);
    }

    [Fact]
    public async Task Killing_scoring_mid_stream_loses_nothing_and_counts_nothing_twice()
    {
        using var player = new HuntPlayer(fixture.System);
        var (hunt, answers, expected) = await LargeHuntAsync(player, "kill-scoring", seed: 11);
        await player.SubmitAsync(hunt.Id, answers.Take(3_000).ToList());
        var killed = fixture.System.Kill("scoring");                       // kill -9, mid-stream
        await player.SubmitAsync(hunt.Id, answers.Skip(3_000).ToList(), firstId: 3_000);
        try
        {
            await player.AssertLeaderboardAsync(hunt.Id, expected, TimeSpan.FromMinutes(3));
        }
        catch (Xunit.Sdk.XunitException wrong)
        {
            // Missing points after a kill are either lost events or events parked as dead letters because scoring stayed
            // down longer than the sidecar's retries (about a minute): say which, and when AppHost restarted it.
            using var control = new ControlClient(fixture.System);
            var parked = await control.CounterAsync("scoring", "veltrix_events_dead_letters_total", ("type", "puzzle.solved"));
            throw new Xunit.Sdk.XunitException($"{wrong.Message}\npuzzle.solved dead letters parked by scoring: {parked}\nwhat the orchestrator reported:\n{fixture.System.ResourcesLog()}");
        }
        Assert.NotEqual(killed, fixture.System.Apps()["scoring"].Pid);        // AppHost restarted it
    }

    /// <summary>
    /// The sidecar killed while answers pour in as fast as the gateway takes them. On the embedded default the in-memory
    /// broker loses what its queues held (docs/switch-broker.md); a client that sends everything again with the same ids
    /// repairs it — hunt and scoring re-publish what they had already recorded — and nothing counts twice. On RabbitMQ +
    /// PostgreSQL nothing accepted was lost in the first place, and the resend changes nothing.
    /// </summary>
    [Fact]
    public async Task Killing_the_sidecar_near_capacity_then_resending_everything_gives_the_exact_leaderboard()
    {
        var system = fixture.System;
        using var player = new HuntPlayer(system);
        var (hunt, answers, expected) = await LargeHuntAsync(player, "kill-sidecar", seed: 31);
        await player.JoinAllAsync(hunt.Id, answers); // once, before four senders would race to join the same players
        var sending = Task.WhenAll(answers.Chunk(answers.Count / 4).Select((part, i) =>
            player.SubmitAsync(hunt.Id, part, batchSize: 250, rideOutOutages: true, firstId: i * part.Length)));
        await Task.WhenAny(sending, Eventually.UntilAsync(() => player.Accepted >= answers.Count / 2, "half of the answers to be accepted", TimeSpan.FromMinutes(2)));
        Assert.False(sending.IsFaulted, $"a sender failed before the kill: {sending.Exception}");
        var killed = system.KillSidecar(); // kill -9 of the one sidecar every app talks to, with its queues full
        await sending;
        // Only for the output: the senders may finish before the killed sidecar is back, and the leaderboard answers
        // 503 (VX3013) until it is.
        var beforeResend = 0;
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                beforeResend = (await player.LeaderboardAsync(hunt.Id)).Sum(e => e.Points);
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the leaderboard to answer again after the sidecar's restart", TimeSpan.FromMinutes(2));

        await player.SubmitAsync(hunt.Id, answers, batchSize: 500, rideOutOutages: true); // everything again, same ids
        TestContext.Current.TestOutputHelper?.WriteLine($"points on the board when the client finished the first time: {beforeResend} of {expected.Sum(e => e.Item2)}");
        await player.AssertLeaderboardAsync(hunt.Id, expected, TimeSpan.FromMinutes(3));
        Assert.Equal(0, player.InternalErrors); // through the crash the gateway said "not now" (429, 503), never "bug"
        Assert.NotEqual(killed, system.SidecarPid);
    }

    [Fact]
    public async Task Bad_input_gets_a_4xx_with_a_vx_code_and_the_gateway_keeps_serving()
    {
        using var player = new HuntPlayer(fixture.System);
        var events = new Uri(fixture.System.Url("gateway"), "/v1/events");
        async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string body, string contentType = "application/json")
        {
            // Expect: 100-continue lets the gateway refuse an oversized body before the client sends it, as real clients do.
            using var request = new HttpRequestMessage(HttpMethod.Post, events) { Content = new StringContent(body, Encoding.UTF8, contentType) };
            request.Headers.ExpectContinue = true;
            var response = await player.Http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
        }

        var malformed = await PostAsync("""[{"id":"1","type":"answer.submitted",""");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.Status);
        Assert.Equal("VX3001", malformed.Body.GetProperty("code").GetString());

        var wrongContentType = await PostAsync("""{"id":"1"}""", "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongContentType.Status);
        Assert.Equal("VX3005", wrongContentType.Body.GetProperty("code").GetString());

        var oversized = await PostAsync("[" + string.Join(",", Enumerable.Repeat("""{"id":"x","type":"answer.submitted","data":{"huntId":"h","puzzleId":"p","playerId":"q","answer":"a"}}""", 20_000)) + "]");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.Status);
        Assert.Equal("VX3004", oversized.Body.GetProperty("code").GetString());

        var mixed = await PostAsync("""
            [{"id":"ok-1","type":"answer.submitted","data":{"huntId":"h","puzzleId":"p1","playerId":"p","answer":"a"}},
             {"id":"bad-type","type":"answer.teleported","data":{}},
             {"id":"bad-field","type":"answer.submitted","data":{"huntId":"h","puzzleId":7,"playerId":"p","answer":"a"}},
             {"id":"missing","type":"answer.submitted","data":{"huntId":"h","puzzleId":"p1","answer":"a"}},
             {"type":"answer.submitted","data":{"huntId":"h","puzzleId":"p1","playerId":"p","answer":"a"}},
             "not an object"]
            """);
        Assert.Equal(HttpStatusCode.Accepted, mixed.Status);
        Assert.Equal(0, mixed.Body.GetProperty("accepted").GetInt32());
        var rejected = mixed.Body.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("index").GetInt32());
        Assert.Equal([0, 1, 2, 3, 4, 5], rejected.Keys.Order());
        Assert.Equal("VX3014", rejected[0].GetProperty("code").GetString()); // well-formed, but sent without player p's token
        Assert.Equal("VX3003", rejected[1].GetProperty("code").GetString());
        Assert.Equal("VX3002", rejected[2].GetProperty("code").GetString());
        Assert.Contains("data.puzzleId", rejected[2].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("data.playerId", rejected[3].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("'id'", rejected[4].GetProperty("message").GetString(), StringComparison.Ordinal);

        var scalar = await PostAsync("42");
        Assert.Equal(HttpStatusCode.BadRequest, scalar.Status);
        Assert.Equal("VX3002", scalar.Body.GetProperty("code").GetString());

        var hunt = await player.CreateHuntAsync("after-bad-input", ThreePuzzles);
        await player.SubmitAsync(hunt.Id, [new("still", hunt.PuzzleIds[0], "a piano")]);
        await player.AssertLeaderboardAsync(hunt.Id, [("still", 10, 1)]);
    }

    /// <summary>10 puzzles, 200 players, 10,000 answers (or <paramref name="count"/>) of which about a third are correct, many repeated.</summary>
    [Fact]
    public async Task Answers_to_a_hunt_that_does_not_exist_are_dead_lettered_and_parked_by_their_owner()
    {
        using var player = new HuntPlayer(fixture.System);
        using var control = new ControlClient(fixture.System);
        var before = await control.CounterAsync("hunt", "veltrix_events_dead_letters_total", ("type", "answer.submitted"));
        // The gateway cannot know hunts: it accepts the answer, hunt drops it (the hunt will never exist), and the sidecar
        // forwards it to answer.submitted.dead, whose owner (hunt, per events/treasure-hunt.yaml) parks it. Nobody can
        // join a hunt that does not exist; the token stands for one whose record a state store lost, minted with the run's key.
        player.RememberMinted("no-such-hunt", "ghost");
        await player.SubmitAsync("no-such-hunt", [new Answer("ghost", "p1", "boo"), new Answer("ghost", "p2", "boo")], firstId: 900_000);
        await Eventually.UntilAsync(async () => await control.CounterAsync("hunt", "veltrix_events_dead_letters_total", ("type", "answer.submitted")) >= before + 2,
            "hunt to park both dead letters", TimeSpan.FromSeconds(60));

        // An operator sees them with `veltrix deadletters`: the cause the sidecar gave and the version they were routed under.
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Veltrix.Cli.VeltrixCommandLine.RunAsync(["deadletters", "list", "answer.submitted", "--owner", fixture.System.Url("hunt").ToString(),
            "--token", fixture.System.OperatorToken, "--format", "json"], new Veltrix.Cli.Commands.CliContext(output, error));
        Assert.True(exit == 0, error.ToString());
        // Only this test's letters: other tests of the fixture park their own (the hostile-input tests publish poison
        // straight to the sidecar, outside any configuration version).
        string[] ours = ["no-such-hunt-900000", "no-such-hunt-900001"];
        var parked = System.Text.Json.JsonDocument.Parse(output.ToString()).RootElement.GetProperty("items").EnumerateArray()
            .Where(item => ours.Contains(item.GetProperty("eventId").GetString())).ToList();
        Assert.True(parked.Count == 2, output.ToString());
        Assert.All(parked, item =>
        {
            Assert.Contains("DROP", item.GetProperty("cause").GetString(), StringComparison.Ordinal);
            Assert.Equal("treasure-hunt", item.GetProperty("configuration").GetString());
        });
    }

    internal static async Task<(CreatedHunt Hunt, List<Answer> Answers, IReadOnlyList<(string, int, int)> Expected)> LargeHuntAsync(
        HuntPlayer player, string name, int seed, int count = 10_000)
    {
        var specs = Enumerable.Range(1, 10).Select(n => new PuzzleSpec($"Question {n}?", $"answer {n}", n * 5)).ToArray();
        var hunt = await player.CreateHuntAsync(name, specs);
        var puzzles = hunt.PuzzleIds.Select((id, i) => (id, specs[i])).ToDictionary(p => p.id, p => (p.Item2.Answer, p.Item2.Points));
        var random = new Random(seed);
        var answers = Enumerable.Range(0, count).Select(_ =>
        {
            var puzzle = hunt.PuzzleIds[random.Next(hunt.PuzzleIds.Count)];
            var text = random.Next(3) == 0 ? puzzles[puzzle].Answer.ToUpperInvariant() : "wrong " + random.Next(100);
            return new Answer($"player-{random.Next(200):D3}", puzzle, text);
        }).ToList();
        return (hunt, answers, HuntPlayer.Expected(answers, puzzles));
    }
}

[Collection(nameof(EmbeddedSystem))]
public sealed class TreasureHuntOnEmbeddedDefaultTests(EmbeddedSystemFixture fixture) : TreasureHuntTests(fixture);

[Collection(nameof(RabbitMqSystem))]
public sealed class TreasureHuntOnRabbitMqAndPostgresTests(RabbitMqSystemFixture fixture) : TreasureHuntTests(fixture);
