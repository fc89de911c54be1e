using System.Net;
using Dapr.Workflow;
using Veltrix.Testing;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>
/// The app, not the sidecar, is killed with SIGKILL: the workflow worker runs as its own process
/// (tests/Veltrix.Workflow.TestWorker, workflow `Crash`), blocks where the test asks — inside the turn that receives
/// an activity's result, or inside the activity after its effect — and is killed there; the sidecar keeps running, a
/// new worker process connects, and the workflow completes. The activity's effect is a first-write state save
/// (idempotent: a second run finds the key and answers what is there), so it is applied exactly once however often
/// the activity runs. Synchronisation is by marker files the worker creates (`blocked-1`, …), polled with a deadline.
/// </summary>
public sealed class AppCrashConformanceTests
{
    private const string Token = "app-crash-token";

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task A_worker_killed_during_an_activity_gets_it_run_again_and_the_effect_stays_applied_once(string store)
    {
        var run = await RunWithKillAsync(store, blockIn: "activity");
        Assert.True(run.ActivityRuns >= 2, $"the activity ran {run.ActivityRuns} time(s); the kill came after its first run began");
        Assert.Equal(1, run.TurnRuns); // the turn after the activity ran once, on the second worker
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task A_worker_killed_during_a_turn_gets_the_turn_again_and_the_finished_activity_is_not_rerun(string store)
    {
        var run = await RunWithKillAsync(store, blockIn: "turn");
        Assert.True(run.TurnRuns >= 2, $"the turn ran {run.TurnRuns} time(s); the kill came while its first run was out");
        Assert.Equal(1, run.ActivityRuns); // its result was committed before the turn: the crash does not undo it
    }

    private sealed record Runs(int ActivityRuns, int TurnRuns);

    /// <summary>The worker's `CrashInput` (Veltrix.Workflow.TestWorker/CrashWorkflows.cs), as JSON sees it.</summary>
    private sealed record CrashInput(string Directory, string Store, string Key, string BlockIn);

    private static async Task<Runs> RunWithKillAsync(string store, string blockIn)
    {
        await using var harness = await WorkflowHarness.StartAsync(store, withWorker: false, apiToken: Token);
        var markers = Directory.CreateTempSubdirectory("veltrix-app-crash-");
        try
        {
            var key = "effect-" + Guid.NewGuid().ToString("N")[..8];
            var input = new CrashInput(markers.FullName, "wfstore", key, blockIn);
            var id = WorkflowHarness.NewId();

            await using var first = WorkerProcess.Start(harness.Sidecar, Token);
            // Returns once the first turn ran (it only schedules the activity), so the worker is connected by then.
            using (var scheduling = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
                await harness.Client.ScheduleNewWorkflowAsync("Crash", id, input, (DateTimeOffset?)null, scheduling.Token);
            await Eventually.UntilAsync(() => File.Exists(Path.Combine(markers.FullName, "blocked-1")) || first.HasExited,
                $"the worker blocked in the {blockIn}", TimeSpan.FromSeconds(60));
            Assert.False(first.HasExited, "the first worker exited by itself:\n" + first.Output);
            await first.KillAsync();

            await using var second = WorkerProcess.Start(harness.Sidecar, Token);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var done = await harness.Client.WaitForWorkflowCompletionAsync(id, true, deadline.Token);
            Assert.True(done.RuntimeStatus == WorkflowRuntimeStatus.Completed, $"{done.RuntimeStatus}; second worker:\n{second.Output}");
            Assert.Equal("written by attempt 1", done.ReadOutputAs<string>());

            // The effect: applied by one run only, and the stored value is that run's.
            Assert.Equal(1, Count(markers, "applied"));
            using var http = new HttpClient { BaseAddress = harness.Sidecar.BaseAddress };
            http.DefaultRequestHeaders.Add("dapr-api-token", Token);
            using var stored = await http.GetAsync($"/v1.0/state/wfstore/{key}");
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
            Assert.Equal("\"written by attempt 1\"", await stored.Content.ReadAsStringAsync());
            return new Runs(Count(markers, "activity"), Count(markers, "turn"));
        }
        finally
        {
            markers.Delete(recursive: true);
        }
    }

    private static int Count(DirectoryInfo markers, string name) => markers.GetFiles(name + "-*").Length;
}
