using Dapr;
using Dapr.Client;
using Dapr.Workflow;
using Grpc.Core;

namespace Veltrix.Workflow.TestWorker;

/// <summary>What one crash test asks for: its marker folder, the state key of the effect, and where to block.</summary>
/// <param name="Directory">Shared with the test: the worker creates marker files there, the test polls for them.</param>
/// <param name="Store">The state component the effect is written to (through the sidecar, with DaprClient).</param>
/// <param name="Key">The effect's state key.</param>
/// <param name="BlockIn">`activity`: the first run of the activity applies its effect and then never returns; `turn`:
/// the first run of the turn after the activity never completes; anything else: nothing blocks.</param>
public sealed record CrashInput(string Directory, string Store, string Key, string BlockIn);

/// <summary>
/// One workflow, one idempotent activity. The activity's effect is a first-write state save: the first run that gets
/// there creates the key, a later run (at-least-once redelivery after a crash) is refused by the store and reads what
/// is there. Every run and every applied effect leaves a numbered marker file (`activity-1`, `applied-1`, …), so the
/// test counts them after the worker process is gone. `blocked-1` tells the test the process is now stuck where the
/// input asked; the test kills it and starts another.
/// </summary>
public static class CrashWorkflows
{
    public static void Register(WorkflowRuntimeOptions options)
    {
        options.RegisterWorkflow<CrashWorkflow>("Crash");
        options.RegisterActivity<ApplyOnceActivity>("ApplyOnce");
    }

    /// <summary>Creates the next free `{name}-N` marker file and returns N (runs are sequential: one process at a time).</summary>
    public static int Mark(string directory, string name)
    {
        for (var n = 1; ; n++)
        {
            try
            {
                using var _ = new FileStream(Path.Combine(directory, $"{name}-{n}"), FileMode.CreateNew);
                return n;
            }
            catch (IOException) when (File.Exists(Path.Combine(directory, $"{name}-{n}")))
            {
                // taken by an earlier run: try the next number
            }
        }
    }
}

public sealed class CrashWorkflow : Workflow<CrashInput, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, CrashInput input)
    {
        var value = await context.CallActivityAsync<string>("ApplyOnce", input);
        // The turn that receives the activity's result. Marked only when it really executes (not on a replay).
        if (!context.IsReplaying && CrashWorkflows.Mark(input.Directory, "turn") == 1 && input.BlockIn == "turn")
        {
            CrashWorkflows.Mark(input.Directory, "blocked");
            Thread.Sleep(Timeout.Infinite); // the turn never answers: no CompleteOrchestratorTask; the test kills the process
        }
        return value;
    }
}

public sealed class ApplyOnceActivity(DaprClient dapr) : WorkflowActivity<CrashInput, string>
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public override async Task<string> RunAsync(WorkflowActivityContext context, CrashInput input)
    {
        var attempt = CrashWorkflows.Mark(input.Directory, "activity");
        var value = $"written by attempt {attempt}";
        try
        {
            await dapr.SaveStateAsync(input.Store, input.Key, value, FirstWrite);
            CrashWorkflows.Mark(input.Directory, "applied");
        }
        catch (DaprException e) when (e.InnerException is RpcException { StatusCode: StatusCode.Aborted })
        {
            // The key exists: an earlier run applied the effect. Idempotent: answer what it wrote.
            value = await dapr.GetStateAsync<string>(input.Store, input.Key);
        }
        if (attempt == 1 && input.BlockIn == "activity")
        {
            CrashWorkflows.Mark(input.Directory, "blocked");
            await Task.Delay(Timeout.Infinite); // applied, never answered; the test kills the process
        }
        return value;
    }
}
