using System.Collections.Concurrent;
using System.Diagnostics;
using Dapr.Workflow;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>
/// The workflows and activities the conformance tests run, registered with the official worker. Activities that must
/// fail a given number of times or record what ran keep their state here, keyed by the caller's own unique key, so
/// tests running in parallel never share it.
/// </summary>
public static class TestWorkflows
{
    public static readonly ConcurrentDictionary<string, int> Attempts = new(StringComparer.Ordinal);
    public static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Log = new(StringComparer.Ordinal);
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new(StringComparer.Ordinal);
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Started = new(StringComparer.Ordinal);

    public sealed record Flaky(string Key, int Failures, int MaxAttempts);

    public sealed record Steps(string Key, int FailAt);

    public sealed record ChildCall(string ChildId, bool ChildFails);

    public static void Record(string key, string entry) => Log.GetOrAdd(key, _ => new ConcurrentQueue<string>()).Enqueue(entry);

    public static void Register(WorkflowRuntimeOptions options)
    {
        options.RegisterActivity<string, string>("Append", (_, s) => Task.FromResult(s + "+"));
        options.RegisterActivity<int, int>("Square", (_, n) => Task.FromResult(n * n));
        options.RegisterActivity<Flaky, string>("Flaky", (_, f) =>
        {
            var attempt = Attempts.AddOrUpdate(f.Key, 1, (_, n) => n + 1);
            if (attempt <= f.Failures) throw new InvalidOperationException($"attempt {attempt} fails");
            return Task.FromResult($"attempt {attempt}");
        });
        options.RegisterActivity<string, string>("Step", (_, name) =>
        {
            var (key, step) = (name.Split('/')[0], name.Split('/')[1]);
            Record(key, step);
            if (step == "fail") throw new InvalidOperationException("step 3 failed");
            return Task.FromResult(step);
        });
        // Records the trace the worker runs it in (trace ID / parent span ID), as the app's own spans would see it.
        options.RegisterActivity<string, string>("SeeTrace", (_, key) =>
        {
            Record(key, Activity.Current is { } current ? $"{current.TraceId.ToHexString()}/{current.ParentSpanId.ToHexString()}" : "no trace");
            return Task.FromResult("seen");
        });
        // Blocks its first run until the test opens the gate (the sidecar is killed meanwhile); later runs return at once.
        options.RegisterActivity<string, string>("Gated", async (_, key) =>
        {
            var attempt = Attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (attempt == 1)
            {
                Started.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                await Gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            return $"ran {attempt}";
        });

        options.RegisterWorkflow<string, string>("Sequence", async (context, input) =>
        {
            var a = await context.CallActivityAsync<string>("Append", input);
            var b = await context.CallActivityAsync<string>("Append", a);
            return await context.CallActivityAsync<string>("Append", b);
        });
        options.RegisterWorkflow<int, int>("FanOut", async (context, count) =>
        {
            var squares = await Task.WhenAll(Enumerable.Range(1, count).Select(n => context.CallActivityAsync<int>("Square", n)));
            return squares.Sum();
        });
        options.RegisterWorkflow<Flaky, string>("Retrying", (context, f) =>
            context.CallActivityAsync<string>("Flaky", f, new WorkflowTaskOptions(new WorkflowRetryPolicy(f.MaxAttempts, TimeSpan.FromMilliseconds(100), 1.0))));
        options.RegisterWorkflow<int, string>("Timer", async (context, milliseconds) =>
        {
            var before = context.CurrentUtcDateTime;
            await context.CreateTimer(TimeSpan.FromMilliseconds(milliseconds));
            return (context.CurrentUtcDateTime - before).TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        options.RegisterWorkflow<int, string>("Approval", async (context, timeoutMs) =>
        {
            try
            {
                return await context.WaitForExternalEventAsync<string>("Approve", TimeSpan.FromMilliseconds(timeoutMs));
            }
            catch (TaskCanceledException)
            {
                return "timed out";
            }
        });
        options.RegisterWorkflow<string, string>("WaitForGo", async (context, _) => await context.WaitForExternalEventAsync<string>("go"));
        options.RegisterWorkflow<string, string>("Status", async (context, _) =>
        {
            context.SetCustomStatus(new { stage = "waiting" });
            return await context.WaitForExternalEventAsync<string>("go");
        });
        options.RegisterWorkflow<string, string[]>("TwoEvents", async (context, input) =>
        {
            await context.CallActivityAsync<string>("Append", input);
            var first = context.WaitForExternalEventAsync<string>("a");
            var second = context.WaitForExternalEventAsync<string>("b");
            return [await first, await second];
        });
        options.RegisterWorkflow<string, string>("Saga", async (context, key) =>
        {
            var done = new Stack<string>();
            try
            {
                foreach (var step in new[] { "one", "two", "fail" })
                {
                    await context.CallActivityAsync<string>("Step", $"{key}/{step}");
                    done.Push(step);
                }
                return "completed";
            }
            catch (WorkflowTaskFailedException)
            {
                while (done.Count > 0) await context.CallActivityAsync<string>("Step", $"{key}/undo-{done.Pop()}");
                return "compensated";
            }
        });
        options.RegisterWorkflow<ChildCall, string>("Parent", async (context, call) =>
        {
            try
            {
                return await context.CallChildWorkflowAsync<string>(call.ChildFails ? "FailingChild" : "Sequence", "child", new ChildWorkflowTaskOptions(call.ChildId));
            }
            catch (WorkflowTaskFailedException e)
            {
                return "child failed: " + e.Message;
            }
        });
        options.RegisterWorkflow<string, string>("Traced", (context, key) => context.CallActivityAsync<string>("SeeTrace", key));
        options.RegisterWorkflow<string, string>("TracedChild", (context, key) =>
            context.CallChildWorkflowAsync<string>("Traced", key, new ChildWorkflowTaskOptions(context.InstanceId + "-child")));
        options.RegisterWorkflow<string, string>("TracedAfterGo", async (context, key) =>
        {
            await context.WaitForExternalEventAsync<string>("go");
            return await context.CallActivityAsync<string>("SeeTrace", key);
        });
        options.RegisterWorkflow<string, string>("FailingChild", (_, _) => throw new InvalidOperationException("child broke"));
        options.RegisterWorkflow<string, string>("ParentOfWaiter", async (context, childId) =>
            await context.CallChildWorkflowAsync<string>("WaitForGo", "", new ChildWorkflowTaskOptions(childId)));
        options.RegisterWorkflow<int, int>("Loop", async (context, n) =>
        {
            if (n >= 3)
            {
                var carried = await context.WaitForExternalEventAsync<int>("extra");
                return n + carried;
            }
            await context.CreateTimer(TimeSpan.FromMilliseconds(50));
            context.ContinueAsNew(n + 1, preserveUnprocessedEvents: true);
            return 0;
        });
        options.RegisterWorkflow<int, string>("TimerThenActivity", async (context, milliseconds) =>
        {
            await context.CreateTimer(TimeSpan.FromMilliseconds(milliseconds));
            return await context.CallActivityAsync<string>("Append", "after timer");
        });
        options.RegisterWorkflow<string, string>("GatedActivity", (context, key) => context.CallActivityAsync<string>("Gated", key));
        options.RegisterWorkflow<string, string>("Deterministic", async (context, _) =>
        {
            var ids = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var id = context.NewGuid().ToString("N");
                ids.Add(await context.CallChildWorkflowAsync<string>("Sequence", id, new ChildWorkflowTaskOptions(context.InstanceId + "-" + id)));
                await context.CreateTimer(context.CurrentUtcDateTime.AddMilliseconds(30), CancellationToken.None);
            }
            return string.Join(",", ids);
        });
    }
}
