using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// The RabbitMQ + PostgreSQL system under the failures a durable broker is chosen for: the broker restarting and
/// the sidecar dying mid-stream. Accepted events must all count, exactly once. A system of its own, since the test
/// takes down what every app depends on.
/// </summary>
public sealed class BrokerOutageTests
{
    [Fact]
    public async Task Twenty_thousand_answers_through_a_broker_restart_and_a_sidecar_kill_give_the_exact_leaderboard()
    {
        if (!TestServers.RabbitMqIsOurs) Assert.Skip("restarts the broker: only done on a broker scripts/servers.sh started, never on a shared one");
        await using var system = await RunningSystem.StartAsync(components: SystemComponents.RabbitMqAndPostgres);
        using var player = new HuntPlayer(system);
        var (hunt, answers, expected) = await TreasureHuntTests.LargeHuntAsync(player, "outage", seed: 23, count: 20_000);

        var submitting = Task.Run(() => player.SubmitAsync(hunt.Id, answers, batchSize: 250, rideOutOutages: true));

        // (a) the broker restarts while events flow: durable queues and persistent, confirmed messages survive it.
        await Eventually.UntilAsync(() => player.Accepted >= 4_000 || submitting.IsCompleted, "4,000 events accepted before the broker restart", TimeSpan.FromMinutes(3));
        Assert.False(submitting.IsCompleted, "the broker must restart while events are still being submitted");
        await Rabbitmqctl.RunAsync("stop_app");
        await Rabbitmqctl.RunAsync("start_app");

        // (b) the sidecar of every app is killed; AppHost starts it again and the consumers resume from the broker.
        await Eventually.UntilAsync(() => player.Accepted >= 12_000 || submitting.IsCompleted, "12,000 events accepted before the sidecar kill", TimeSpan.FromMinutes(3));
        Assert.False(submitting.IsCompleted, "the sidecar must die while events are still being submitted");
        var killed = system.KillSidecar();

        await submitting;
        Assert.Equal(20_000, player.Accepted);
        await player.AssertLeaderboardAsync(hunt.Id, expected, TimeSpan.FromMinutes(5));
        Assert.NotEqual(killed, system.SidecarPid);
    }
}
