using System.Diagnostics;
using System.Globalization;
using Dapr.Client;
using Dapr.Workflow;
using Veltrix.Testing;

namespace Veltrix.Bench;

/// <summary>
/// Workflows on the dev sidecar's engine next to a baseline in the same run. The workflow runs three activities one
/// after another; each activity saves one small state record through the sidecar (`DaprClient.SaveStateAsync`, gRPC).
/// The baseline calls the same three activity bodies directly, one after another, at the same concurrency: the ratio
/// is what the workflow engine costs on top of the work itself (durable history, one turn per step, work-item
/// dispatch to the worker). The worker (official Dapr.Workflow 1.19.0, `AddDaprWorkflow`) and `DaprWorkflowClient`
/// run in this process; the sidecar is its own Release process, its actor state store SQLite (as the embedded
/// default) or, with `--store postgres`, PostgreSQL (VELTRIX_TEST_POSTGRES from `scripts/servers.sh start`).
/// </summary>
internal static class WorkflowBenchmark
{
    private const string Store = "statestore";

    /// <summary>What one activity writes: small, but a real record with the step's result.</summary>
    public sealed record StepRecord(string Order, int Step, long Total);

    public sealed record StepInput(string Order, int Step, long Total);

    public static async Task<int> RunAsync(string[] args)
    {
        var workflows = Arg(args, "--workflows", 2_000);
        var concurrency = Arg(args, "--concurrency", 64);
        var warmUp = Arg(args, "--warm-up", 200);
        var storeKind = ArgString(args, "--store", "sqlite");

        using var resources = new ResourcesFolder();
        resources.Write("statestore.yaml", storeKind switch
        {
            "sqlite" => Yaml.SqliteState(Store, Path.Combine(resources.Path, "state.db")),
            "postgres" or "postgresql" => Yaml.PostgresState(Store, $"wfbench_{Guid.NewGuid():N}"[..16] + "_"),
            _ => throw new ArgumentException($"--store {storeKind}: sqlite or postgres"),
        } + "\n    - name: actorStateStore\n      value: \"true\"\n");
        await using var sidecar = await SidecarProcess.StartForAppAsync("wfbench", null, [resources.Path], waitForApp: false);

        // The app: the official worker and client, and the DaprClient the activity bodies use — all on the sidecar's gRPC port.
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcAddress.ToString()).UseHttpEndpoint(sidecar.BaseAddress.ToString()).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcAddress.ToString().TrimEnd('/');
        builder.Configuration["DAPR_HTTP_ENDPOINT"] = sidecar.BaseAddress.ToString().TrimEnd('/');
        builder.Logging.ClearProviders();
        builder.Services.AddDaprWorkflow(options =>
        {
            options.RegisterWorkflow<string, long>("ThreeSteps", async (context, order) =>
            {
                var total = 0L;
                for (var step = 1; step <= 3; step++) total = await context.CallActivityAsync<long>("Step", new StepInput(order, step, total));
                return total;
            });
            options.RegisterActivity<StepInput, long>("Step", (_, input) => StepAsync(dapr, input));
        });
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<DaprWorkflowClient>();

        var startCalls = new LatencyRecorder(0);

        // Warm both arms (JIT, connections, the worker's stream, the store's first writes).
        await WorkflowPhaseAsync("warm", warmUp);
        await DirectPhaseAsync("warm", warmUp);

        var load = File.ReadAllText("/proc/loadavg").Trim();
        var flow = await MeasureAsync(() => WorkflowPhaseAsync("run", workflows));
        var (startP50, startP99) = (startCalls.PercentileMs(50), startCalls.PercentileMs(99));
        var direct = await MeasureAsync(() => DirectPhaseAsync("run", workflows));

        Console.WriteLine();
        Console.WriteLine($"Veltrix workflow benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
            $"actor state store {storeKind}, {workflows:N0} per arm, concurrency {concurrency}, load average before: {load}");
        Console.WriteLine();
        Console.WriteLine("| arm | per second | p50 ms | p99 ms | sidecar CPU s / 1,000 | bench process CPU s / 1,000 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Console.WriteLine(Row("workflow, 3 sequential activities (start → completed)", flow));
        Console.WriteLine(Row("baseline: the 3 activity bodies called directly", direct));
        Console.WriteLine();
        Console.WriteLine(Invariant($"of which the start call (ScheduleNewWorkflowAsync, returns after the first turn): p50 {startP50:F1} ms, p99 {startP99:F1} ms"));
        Console.WriteLine(Invariant($"ratio workflow / baseline: {flow.PerSecond / direct.PerSecond:F2}× throughput, p50 {flow.P50 / direct.P50:F1}× the latency"));
        Console.WriteLine(Invariant($"CPU per workflow beyond the baseline's work: sidecar {(flow.SidecarCpu - direct.SidecarCpu) / workflows * 1000:F2} ms, bench process {(flow.BenchCpu - direct.BenchCpu) / workflows * 1000:F2} ms"));
        Console.WriteLine(Invariant($"cores busy (CPU s per wall s), workflow arm: sidecar {flow.SidecarCpu * flow.PerSecond / workflows:F2}, bench process {flow.BenchCpu * flow.PerSecond / workflows:F2}; baseline: {direct.SidecarCpu * direct.PerSecond / workflows:F2}, {direct.BenchCpu * direct.PerSecond / workflows:F2} (of {Environment.ProcessorCount})"));
        await host.StopAsync(TimeSpan.FromSeconds(5));
        return 0;

        async Task<Result> MeasureAsync(Func<Task<LatencyRecorder>> phase)
        {
            var (sidecarBefore, benchBefore) = (ProcessCpu.Seconds(sidecar.ProcessId), ProcessCpu.Seconds(Environment.ProcessId, children: false));
            var clock = Stopwatch.StartNew();
            var latency = await phase();
            var seconds = clock.Elapsed.TotalSeconds;
            return new Result(workflows / seconds, latency.PercentileMs(50), latency.PercentileMs(99),
                ProcessCpu.Seconds(sidecar.ProcessId) - sidecarBefore, ProcessCpu.Seconds(Environment.ProcessId, children: false) - benchBefore, workflows);
        }

        async Task<LatencyRecorder> WorkflowPhaseAsync(string phase, int count)
        {
            var recorder = new LatencyRecorder(count);
            startCalls = new LatencyRecorder(count);
            await ConcurrentlyAsync(count, async i =>
            {
                var id = $"{phase}-{i}-{Guid.NewGuid():N}"[..24];
                var start = Stopwatch.GetTimestamp();
                await client.ScheduleNewWorkflowAsync("ThreeSteps", id, id);
                startCalls.Record(start);
                using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                var done = await client.WaitForWorkflowCompletionAsync(id, false, deadline.Token);
                recorder.Record(start);
                if (done.RuntimeStatus != WorkflowRuntimeStatus.Completed) throw new InvalidOperationException($"{id}: {done.RuntimeStatus}");
            });
            return recorder;
        }

        async Task<LatencyRecorder> DirectPhaseAsync(string phase, int count)
        {
            var recorder = new LatencyRecorder(count);
            await ConcurrentlyAsync(count, async i =>
            {
                var order = $"{phase}-{i}-{Guid.NewGuid():N}"[..24];
                var start = Stopwatch.GetTimestamp();
                var total = 0L;
                for (var step = 1; step <= 3; step++) total = await StepAsync(dapr, new StepInput(order, step, total));
                recorder.Record(start);
            });
            return recorder;
        }

        async Task ConcurrentlyAsync(int count, Func<int, Task> body)
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count) await body(i);
            }));
        }
    }

    /// <summary>The activity body, the same in both arms: a little compute, then one state save through the sidecar.</summary>
    private static async Task<long> StepAsync(DaprClient dapr, StepInput input)
    {
        var total = input.Total * 31 + input.Step + input.Order.Length;
        await dapr.SaveStateAsync(Store, $"{input.Order}-step{input.Step}", new StepRecord(input.Order, input.Step, total));
        return total;
    }

    private sealed record Result(double PerSecond, double P50, double P99, double SidecarCpu, double BenchCpu, int Count);

    private static string Row(string name, Result r) =>
        Invariant($"| {name} | {r.PerSecond:N0} | {r.P50:F1} | {r.P99:F1} | {r.SidecarCpu / r.Count * 1000:F2} | {r.BenchCpu / r.Count * 1000:F2} |");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static int Arg(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string ArgString(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }
}
