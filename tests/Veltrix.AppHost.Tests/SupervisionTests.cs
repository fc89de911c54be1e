using Veltrix.Testing;
using static Veltrix.AppHost.Tests.AppHostRun;

namespace Veltrix.AppHost.Tests;

/// <summary>An app that exits on its own is started again (CrashLoopBackOff), and run.json follows.</summary>
public sealed class SupervisionTests
{
    [Fact]
    public async Task An_app_that_crashes_is_restarted_and_run_json_gets_its_new_pid()
    {
        var folderMarker = Path.Combine(Path.GetTempPath(), $"veltrix-crash-{Guid.NewGuid():N}");
        var appPort = FreePort.Next();
        var yaml = RunFile("", FakeApp("alpha", appPort, FreePort.Next(),
            new Dictionary<string, string> { ["FAKE_CRASH_AFTER_MS"] = "1500", ["FAKE_CRASH_MARKER"] = folderMarker }));
        await using var run = Start(yaml);
        try
        {
            await Eventually.UntilAsync(() => File.Exists(folderMarker) && File.ReadAllText(folderMarker).Length > 0, "the fake app to crash",
                TimeSpan.FromSeconds(90));
            var crashedPid = int.Parse(File.ReadAllText(folderMarker), System.Globalization.CultureInfo.InvariantCulture);

            await Eventually.UntilAsync(() => run.Output.Contains("alpha exited with code 3; restart #1 in 1s", StringComparison.Ordinal),
                "the restart line", TimeSpan.FromSeconds(20));
            await Eventually.UntilAsync(() => run.TryRead(out var state) && state!["alpha"].Pid != crashedPid && IsAlive(state["alpha"].Pid),
                "run.json to name the restarted process", TimeSpan.FromSeconds(20));
            using var http = new HttpClient();
            await Eventually.UntilAsync(async () =>
            {
                try { return (await http.GetAsync($"http://127.0.0.1:{appPort}/healthz")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, "the restarted app to answer", TimeSpan.FromSeconds(20));
            Assert.False(IsAlive(crashedPid));
            Assert.False(run.HasExited);
        }
        finally
        {
            File.Delete(folderMarker);
        }
    }

    [Fact]
    public async Task A_sidecar_that_was_healthy_and_crashes_while_another_app_is_still_starting_is_restarted_not_a_failed_start()
    {
        // beta never becomes healthy, so the run as a whole never finishes starting (within a long health timeout).
        var yaml = RunFile("", FakeApp("alpha", FreePort.Next(), FreePort.Next()) +
            FakeApp("beta", FreePort.Next(), FreePort.Next(), new Dictionary<string, string> { ["FAKE_UNHEALTHY"] = "1" }));
        await using var run = Start(yaml, ["--health-timeout", "300"]);
        var states = Path.Combine(run.LogDir, "resources.log");
        await Eventually.UntilAsync(() => File.Exists(states) && File.ReadAllText(states).Contains(" sidecar Running healthy ", StringComparison.Ordinal),
            "the orchestrator to report the sidecar healthy", TimeSpan.FromSeconds(90));
        var sidecar = run.Read().SidecarPid!.Value;

        using (var victim = System.Diagnostics.Process.GetProcessById(sidecar)) victim.Kill();

        await Eventually.UntilAsync(() => run.TryRead(out var state) && state!.SidecarPid is { } pid && pid != sidecar && IsAlive(pid),
            $"run.json to name a restarted sidecar\n{run.Output}", TimeSpan.FromSeconds(60));
        Assert.DoesNotContain("VX4006", run.Output, StringComparison.Ordinal); // a crash, not a start-up failure
        Assert.False(run.HasExited);
    }
}
