using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// Named, versioned event configurations on a running system: the control service refuses bad versions with the
/// diagnostics, activations are one compare-and-swap each, and an activation while events flow routes every event
/// under exactly one version and loses none. Each test has a system of its own: activating changes what every app does.
/// </summary>
public sealed class ConfigurationVersionTests
{
    /// <summary>v2: answers move to a new topic, and a new event type the gateway accepts.</summary>
    private static string NewTopicAndType(string yaml) =>
        yaml.Replace("      topic: answer.submitted\n", "      topic: answer.submitted.v2\n", StringComparison.Ordinal) + string.Join('\n',
            "",
            "    - type: player.cheered",
            "      schema:",
            "        huntId: string",
            "        playerId: string",
            "      pubsub: pubsub",
            "      topic: player.cheered",
            "      producers: [gateway]",
            "      consumers: []",
            "");

    [Fact]
    public async Task Control_refuses_bad_versions_with_diagnostics_and_of_two_concurrent_activations_exactly_one_wins()
    {
        await using var system = await RunningSystem.StartAsync(AspireTestingHost.Starter());
        using var control = new ControlClient(system);

        // The built-in configuration was seeded and activated as version 1 by the first app to start.
        var active = await control.GetAsync("/configurations/active");
        Assert.Equal(HttpStatusCode.OK, active.Status);
        Assert.Equal(1, active.Body.GetProperty("version").GetInt32());

        // Operator endpoints need the token.
        var anonymous = await control.SendAsync(HttpMethod.Get, "/configurations", null, withToken: false);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal("VX3008", anonymous.Body.GetProperty("code").GetString());

        // A misspelt pub/sub is refused with the code, file, line and column of the value at fault.
        var misspelt = ControlClient.RepositoryConfiguration.Replace("      pubsub: pubsub\n      topic: puzzle.solved", "      pubsub: pubsbu\n      topic: puzzle.solved", StringComparison.Ordinal);
        var refused = await control.ApplyAsync(misspelt, "events/misspelt.yaml");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Equal("VX5050", refused.Body.GetProperty("code").GetString());
        var diagnostic = Assert.Single(refused.Body.GetProperty("diagnostics").EnumerateArray());
        var line = misspelt.Split('\n').ToList().FindIndex(l => l.Contains("pubsbu", StringComparison.Ordinal)) + 1;
        Assert.Equal(("VX5020", "events/misspelt.yaml", line, 15),
            (diagnostic.GetProperty("code").GetString(), diagnostic.GetProperty("file").GetString(), diagnostic.GetProperty("line").GetInt32(), diagnostic.GetProperty("column").GetInt32()));
        Assert.Contains("did you mean 'pubsub'", diagnostic.GetProperty("help").GetString(), StringComparison.Ordinal);

        // Applying the active text again stores nothing; two changed texts become versions 2 and 3.
        var same = await control.ApplyAsync(ControlClient.RepositoryConfiguration);
        Assert.Equal((HttpStatusCode.OK, 1, false), (same.Status, same.Body.GetProperty("version").GetInt32(), same.Body.GetProperty("created").GetBoolean()));
        var v2 = await control.ApplyAsync(ControlClient.RepositoryConfiguration.Replace("      lane: critical", "      lane: standard", StringComparison.Ordinal));
        var v3 = await control.ApplyAsync(ControlClient.RepositoryConfiguration.Replace("      lane: critical", "      lane: bulk", StringComparison.Ordinal));
        Assert.Equal((HttpStatusCode.Created, 2, HttpStatusCode.Created, 3),
            (v2.Status, v2.Body.GetProperty("version").GetInt32(), v3.Status, v3.Body.GetProperty("version").GetInt32()));

        var diff = await control.GetAsync("/configurations/treasure-hunt/diff?from=2&to=3");
        var change = Assert.Single(diff.Body.GetProperty("diff").GetProperty("changed").EnumerateArray());
        Assert.Equal("puzzle.solved", change.GetProperty("type").GetString());
        Assert.Equal(["lane: standard → bulk"], change.GetProperty("changes").EnumerateArray().Select(c => c.GetString()));

        // Two operators who both saw version 1 activate at once: exactly one wins, the other is told, nothing is half-done.
        var both = await Task.WhenAll(control.ActivateAsync(2, "treasure-hunt@1"), control.ActivateAsync(3, "treasure-hunt@1"));
        var winner = Assert.Single(both, r => r.Status == HttpStatusCode.OK);
        var loser = Assert.Single(both, r => r.Status == HttpStatusCode.Conflict);
        Assert.Equal("VX5051", loser.Body.GetProperty("code").GetString());
        var now = await control.GetAsync("/configurations/active");
        Assert.Equal(winner.Body.GetProperty("version").GetInt32(), now.Body.GetProperty("version").GetInt32());
        Assert.Equal(1, now.Body.GetProperty("history")[0].GetProperty("version").GetInt32());

        // Rolling back returns to version 1, by one compare-and-swap from the version it saw.
        var rollback = await control.SendAsync(HttpMethod.Post, "/configurations/rollback", null);
        Assert.Equal((HttpStatusCode.OK, 1), (rollback.Status, rollback.Body.GetProperty("version").GetInt32()));

        // A version that moves a topic is refused while its consumer is not subscribed to the new topic.
        var moved = await control.ApplyAsync(NewTopicAndType(ControlClient.RepositoryConfiguration));
        var notSubscribed = await control.ActivateAsync(moved.Body.GetProperty("version").GetInt32(), "treasure-hunt@1");
        Assert.Equal(HttpStatusCode.Conflict, notSubscribed.Status);
        Assert.Equal("VX5053", notSubscribed.Body.GetProperty("code").GetString());
        Assert.Contains("hunt is not subscribed to 'answer.submitted.v2'", notSubscribed.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await control.GetAsync("/configurations/active")).Body.GetProperty("version").GetInt32());

        // The same through `veltrix config`, as an operator types it.
        var url = system.Url("control").ToString();
        var list = await VeltrixAsync("config", "list", "--format", "json", "--control", url, "--token", system.OperatorToken);
        Assert.Equal(0, list.Exit);
        var versions = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Single().GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32());
        Assert.Equal([1, 2, 3, 4], versions);
        var shown = await VeltrixAsync("config", "show", "treasure-hunt", "1", "--control", url, "--token", system.OperatorToken);
        Assert.Equal((0, ControlClient.RepositoryConfiguration), (shown.Exit, shown.Output));
        var stale = await VeltrixAsync("config", "activate", "treasure-hunt", "3", "--expect", "treasure-hunt@2", "--control", url, "--token", system.OperatorToken);
        Assert.Equal(1, stale.Exit);
        Assert.Contains("error[VX5051]", stale.Error, StringComparison.Ordinal);
        var activate = await VeltrixAsync("config", "activate", "treasure-hunt", "3", "--control", url, "--token", system.OperatorToken);
        Assert.Equal(0, activate.Exit);
        Assert.Contains("active: treasure-hunt@3", activate.Output, StringComparison.Ordinal);
        var back = await VeltrixAsync("config", "rollback", "--control", url, "--token", system.OperatorToken);
        Assert.Equal((0, 1), (back.Exit, (await control.GetAsync("/configurations/active")).Body.GetProperty("version").GetInt32()));
        var noToken = await VeltrixAsync("config", "list", "--control", url, "--token", "wrong");
        Assert.Equal(1, noToken.Exit);
        Assert.Contains("error[VX3008]", noToken.Error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> VeltrixAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Veltrix.Cli.VeltrixCommandLine.RunAsync(args, new Veltrix.Cli.Commands.CliContext(output, error));
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Activating_a_new_topic_and_type_while_answers_flow_routes_each_event_under_one_version_and_loses_none()
    {
        await using var system = await RunningSystem.StartAsync(AspireTestingHost.Starter());
        using var control = new ControlClient(system);
        using var player = new HuntPlayer(system);
        var (hunt, answers, expected) = await TreasureHuntTests.LargeHuntAsync(player, "versions", seed: 31, count: 6_000);

        var applied = await control.ApplyAsync(NewTopicAndType(ControlClient.RepositoryConfiguration));
        Assert.Equal(HttpStatusCode.Created, applied.Status);
        var v2 = applied.Body.GetProperty("version").GetInt32();

        // Restarts go through Aspire's orchestrator (DCP) with backoff: on a loaded 2-core CI machine they have taken over 60 s.
        // Dapr reads subscriptions at start-up: restart hunt (it then subscribes for version 1 and the applied version 2),
        // then the sidecar, which reads every app's subscriptions again. Nothing flows yet, so nothing is in flight.
        await system.KillAndAwaitRestartAsync("hunt", TimeSpan.FromSeconds(120));
        await system.WaitUntilReadyAsync();
        await Eventually.UntilAsync(async () => (await control.GetAsync($"/configurations/treasure-hunt/diff?from=1&to={v2}")).Body
            .GetProperty("needsRestart").GetArrayLength() == 0, "hunt to report its subscription to the new topic", TimeSpan.FromSeconds(60));
        await system.KillSidecarAndAwaitRestartAsync(TimeSpan.FromSeconds(120));
        await system.WaitUntilReadyAsync();

        // Before the activation the gateway does not know the new type.
        Assert.Equal("VX3003", (await CheerAsync(player, system, hunt.Id)).GetProperty("rejected")[0].GetProperty("code").GetString());

        var sending = Task.Run(() => player.SubmitAsync(hunt.Id, answers, batchSize: 100));
        await Eventually.UntilAsync(() => player.Accepted >= 2_000 || sending.IsCompleted, "a third of the answers to be accepted", TimeSpan.FromSeconds(120));
        var activated = await control.ActivateAsync(v2, "treasure-hunt@1");
        Assert.True(activated.Status == HttpStatusCode.OK, $"activate answered {(int)activated.Status}: {activated.Body}\n{system.Output}");
        await sending;
        Assert.Equal(6_000, player.Accepted);

        // None lost, none counted twice: the leaderboard is exact.
        await player.AssertLeaderboardAsync(hunt.Id, expected, TimeSpan.FromMinutes(3));

        // Every answer was routed under exactly one version — version 1 to the old topic, version 2 to the new — and both carried some.
        var underV1 = await control.CounterAsync("gateway", "veltrix_events_routed_total", ("type", "answer.submitted"), ("version", "1"), ("topic", "answer.submitted"));
        var underV2 = await control.CounterAsync("gateway", "veltrix_events_routed_total", ("type", "answer.submitted"), ("version", v2.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("topic", "answer.submitted.v2"));
        Assert.True(underV1 > 0 && underV2 > 0, $"both versions should have routed answers: v1 {underV1}, v2 {underV2}");
        Assert.Equal(6_000, underV1 + underV2);
        Assert.Equal(6_000, await control.CounterAsync("gateway", "veltrix_events_routed_total", ("type", "answer.submitted")));
        // Hunt received answers stamped with each version.
        Assert.True(await control.CounterAsync("hunt", "veltrix_events_received_total", ("type", "answer.submitted"), ("version", "1")) > 0);
        Assert.True(await control.CounterAsync("hunt", "veltrix_events_received_total", ("type", "answer.submitted"), ("version", v2.ToString(System.Globalization.CultureInfo.InvariantCulture))) > 0);

        // The gateway follows the activation: the new type is accepted, routed under version 2.
        await Eventually.UntilAsync(async () => (await CheerAsync(player, system, hunt.Id)).GetProperty("accepted").GetInt32() == 1,
            "the gateway to accept player.cheered", TimeSpan.FromSeconds(30));
    }

    private static async Task<JsonElement> CheerAsync(HuntPlayer player, RunningSystem system, string huntId)
    {
        var response = await player.Http.PostAsJsonAsync(new Uri(system.Url("gateway"), "/v1/events"),
            new { id = Guid.NewGuid().ToString("N"), type = "player.cheered", playerToken = await player.TokenAsync(huntId, "fan"), data = new { huntId, playerId = "fan" } });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted,
            $"the gateway answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{system.Output[^Math.Min(4000, system.Output.Length)..]}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
