using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Veltrix.Testing;
using static Veltrix.AppHost.Tests.AppHostRun;

namespace Veltrix.AppHost.Tests;

/// <summary>Every way start-up can fail ends in one VX message, the right exit code, and nothing left running.</summary>
public sealed class StartupFailureTests
{
    [Fact]
    public async Task A_port_in_use_is_VX4004_naming_the_port_and_the_app_and_nothing_starts()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var daprPort = FreePort.Next();
        await using var run = Start(RunFile("", FakeApp("alpha", taken, daprPort)));

        Assert.Equal(1, await run.WaitForExitAsync());
        Assert.Contains("error VX4004:", run.Output);
        Assert.Contains($"port {taken} (appPort of 'alpha') is already in use", run.Output);
        Assert.Contains($"ss -ltnp 'sport = :{taken}'", run.Output);
        Assert.DoesNotContain("Unhandled exception", run.Output);
        Assert.False(File.Exists(run.RunJsonPath), "nothing should have been started");
        Assert.False(File.Exists(Path.Combine(run.LogDir, "sidecar.log")));
    }

    [Theory]
    [InlineData("version: 1\napps:\n  - appID: a\n    appDirPath: .\n   appPort: 5000\n", 5, 4, "not valid YAML")]
    [InlineData("version: 1\napps:\n  - appDirPath: .\n    appPort: five\n    command: [\"dotnet\"]\n", 4, 14, "`appPort` must be a port number")]
    [InlineData("apps:\n  - appDirPath: .\n    appPort: 5000\n    command: [\"dotnet\"]\n", 1, 1, "`version` is missing")]
    [InlineData("version: 1\napps:\n  - appDirPath: ./nowhere\n    appPort: 5000\n    command: [\"dotnet\"]\n", 3, 17, "appDirPath './nowhere' does not exist")]
    public async Task A_malformed_run_file_is_VX4001_with_line_and_column_and_exit_code_2(string yaml, int line, int column, string message)
    {
        await using var run = Start(yaml);

        Assert.Equal(2, await run.WaitForExitAsync());
        Assert.Contains($"dapr.yaml:{line}:{column}: error VX4001: {message}", run.Output);
        Assert.Contains("help:", run.Output);
        Assert.DoesNotContain("   at ", run.Output); // no stack trace
    }

    [Fact]
    public async Task A_misspelt_key_gets_a_did_you_mean()
    {
        await using var run = Start("version: 1\napps:\n  - appDirPath: .\n    appPort: 5000\n    comand: [\"dotnet\"]\n");

        Assert.Equal(2, await run.WaitForExitAsync());
        Assert.Contains("dapr.yaml:5:5: error VX4001: unknown key 'comand' in an app", run.Output);
        Assert.Contains("did you mean 'command'?", run.Output);
    }

    [Fact]
    public async Task Bad_component_YAML_shows_the_sidecars_VX1003_verbatim_then_VX4006_and_starts_no_app()
    {
        var badComponent = Yaml.InMemoryPubSub().Replace("pubsub.in-memory", "pubsub.in-memroy", StringComparison.Ordinal);
        await using var run = Start(RunFile("", FakeApp("alpha", FreePort.Next(), FreePort.Next())), components: [badComponent]);

        Assert.Equal(1, await run.WaitForExitAsync());
        Assert.Matches(@"(?m)^sidecar\s+\| \S*resource0\.yaml:\d+:\d+: error VX1003: component 'pubsub' has unknown type 'pubsub.in-memroy'", run.Output);
        Assert.Contains("did you mean 'pubsub.in-memory'?", run.Output);
        Assert.Contains("error VX4006: sidecar exited with code 1 during start-up", run.Output);
        Assert.DoesNotContain("fake app APP_ID=alpha", run.Output); // alpha waited for a healthy sidecar: it never ran
    }

    [Fact]
    public async Task An_app_that_never_becomes_healthy_is_VX4005_within_the_health_timeout_and_is_stopped()
    {
        var appPort = FreePort.Next();
        var yaml = RunFile("", FakeApp("alpha", appPort, FreePort.Next(), new Dictionary<string, string> { ["FAKE_UNHEALTHY"] = "1" }));
        // Long enough for the app to be up and answering 503 on a busy machine; the run must still end by itself.
        await using var run = Start(yaml, ["--health-timeout", "15"]);

        Assert.Equal(1, await run.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.True(run.Output.Contains("error VX4005: not healthy after 15s: alpha: Running", StringComparison.Ordinal), run.Output);
        var message = run.Output.Split('\n').Single(l => l.Contains("error VX4005", StringComparison.Ordinal));
        Assert.DoesNotContain("sidecar:", message); // the sidecar itself was healthy: only the app is named
        Assert.Contains("alpha | fake app APP_ID=alpha", run.Output); // the last lines of its log
        // DCP stops the processes as AppHost exits: give it a moment, then nothing of the run may be left.
        var pids = run.Read().Pids.ToList();
        await Eventually.UntilAsync(() => pids.All(pid => !IsAlive(pid)), "every process of the run to stop", TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Aspire's testing builder throws "The entry point exited without building a DistributedApplication" when AppHost
    /// printed an error and returned; what it printed is only in the run's apphost.log, in a folder the failed start
    /// deletes. The exception must carry it, or the failure cannot be told apart from any other.
    /// </summary>
    [Fact]
    public async Task A_start_that_fails_before_AppHost_is_hosted_carries_what_AppHost_wrote()
    {
        string? logDir = null;
        RunHostStarter failing = launch =>
        {
            logDir = launch.LogDir;
            Directory.CreateDirectory(launch.LogDir);
            File.WriteAllText(Path.Combine(launch.LogDir, "apphost.log"), "dapr.yaml:3:5: error VX4001: the reason AppHost gave\n");
            throw new InvalidOperationException("The entry point exited without building a DistributedApplication.");
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => RunningSystem.StartAsync(failing));

        Assert.Contains("The entry point exited without building a DistributedApplication.", failure.Message);
        Assert.Contains("dapr.yaml:3:5: error VX4001: the reason AppHost gave", failure.Message);
        Assert.False(Directory.Exists(logDir), "the failed start's folder is removed");
    }
}
