using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// The RabbitMQ + PostgreSQL system under the failures a durable broker is chosen for: the broker restarting and
/// the sidecar dying while a client is sending. Accepted events must all count, exactly once. A system of its own,
/// since the test takes down what every app depends on.
/// </summary>
public sealed class BrokerOutageTests
{
    [Fact]
    public async Task Twenty_thousand_answers_through_a_broker_restart_and_a_sidecar_kill_give_the_exact_leaderboard()
    {
        if (!TestServers.RabbitMqIsOurs) Assert.Skip("restarts the broker: only done on a broker scripts/servers.sh started, never on a shared one");
        await using var system = await RunningSystem.StartAsync(AspireTestingHost.Starter(), SystemComponents.RabbitMqAndPostgres);
        using var player = new HuntPlayer(system);
        var (hunt, answers, expected) = await TreasureHuntTests.LargeHuntAsync(player, "outage", seed: 23, count: 20_000);
        Task SubmitAsync(int from, int count) => player.SubmitAsync(hunt.Id, answers.Skip(from).Take(count).ToList(), batchSize: 250, rideOutOutages: true, firstId: from);

        // Accepted events still on their way through hunt, scoring and the leaderboard when the trouble starts.
        await SubmitAsync(0, 8_000);

        // (a) The broker goes down while the client sends: sends fail until it is back; nothing accepted is lost.
        await Rabbitmqctl.RunAsync("stop_app");
        var setbacks = player.Setbacks;
        Task duringRestart;
        try
        {
            duringRestart = Task.Run(() => SubmitAsync(8_000, 6_000));
            // The sidecar tries a publish a few times, as daprd does, before it answers that the broker is gone.
            await Eventually.UntilAsync(() => player.Setbacks > setbacks, "the client to run into the stopped broker", TimeSpan.FromSeconds(90));
        }
        finally
        {
            await Rabbitmqctl.RunAsync("start_app"); // whatever happened, the broker is back for the tests after this one
        }
        await duringRestart;

        // (b) The sidecar of every app is killed while the client sends; AppHost starts it again, consumers resume from the broker.
        var killed = system.KillSidecar();
        setbacks = player.Setbacks;
        await SubmitAsync(14_000, 6_000);
        Assert.True(player.Setbacks > setbacks, "the client should have run into the dead sidecar");
        // Through the broker's restart and the sidecar's death the gateway said "not now" (429, 503 VX3013 with Retry-After,
        // per-event VX3006), never "bug" (500 VX3000).
        Assert.Equal(0, player.InternalErrors);

        Assert.Equal(20_000, player.Accepted);
        await player.AssertLeaderboardAsync(hunt.Id, expected, TimeSpan.FromMinutes(5));
        Assert.NotEqual(killed, system.SidecarPid);
    }
}
