using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dapr.Workflow;
using Veltrix.Testing;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>
/// The engine is observable: its counters at `GET /metrics` on `--metrics-port` move by exactly what the workflows did,
/// and a caller's trace runs through StartInstance, the turns and the activity dispatch into the app's activity code —
/// observed where an operator would see it (the scrape, the OTLP export) and where the app sees it (Activity.Current
/// inside the official worker). Telemetry does not depend on the state store, so these run on SQLite only.
/// </summary>
public sealed class TelemetryConformanceTests
{
    [Fact]
    public async Task Counters_move_by_exactly_the_instances_turns_activities_and_retries_that_ran()
    {
        var metricsPort = FreePort.Next();
        await using var harness = await WorkflowHarness.StartAsync("sqlite", ["--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture)]);
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        var before = await PrometheusScrape.ReadAsync(metrics);

        Assert.Equal(WorkflowRuntimeStatus.Completed, (await harness.RunAsync("Sequence", "x")).RuntimeStatus);
        Assert.Equal(WorkflowRuntimeStatus.Failed, (await harness.RunAsync("FailingChild", "")).RuntimeStatus);
        Assert.Equal(WorkflowRuntimeStatus.Completed, (await harness.RunAsync("Retrying", new TestWorkflows.Flaky(Guid.NewGuid().ToString("N"), 2, 3))).RuntimeStatus);
        var waiting = await harness.Client.ScheduleNewWorkflowAsync("WaitForGo", WorkflowHarness.NewId(), "");
        await harness.UntilStatusAsync(waiting, WorkflowRuntimeStatus.Running);
        await harness.Client.TerminateWorkflowAsync(waiting, "stop");
        await harness.UntilStatusAsync(waiting, WorkflowRuntimeStatus.Terminated);

        var app = ("app_id", harness.AppId);
        // Sequence: a turn per activity answer plus the first; Retrying: each attempt is a turn to schedule it and one to
        // see its answer (the two failures answered with a retry timer, whose firing is the next turn); WaitForGo: the
        // start and the terminate.
        var expected = new (string Metric, string Label, string Name, double Delta)[]
        {
            ("veltrix_workflow_instances_started_total", "workflow_name", "Sequence", 1),
            ("veltrix_workflow_instances_started_total", "workflow_name", "FailingChild", 1),
            ("veltrix_workflow_instances_started_total", "workflow_name", "Retrying", 1),
            ("veltrix_workflow_instances_started_total", "workflow_name", "WaitForGo", 1),
            ("veltrix_workflow_instances_completed_total", "workflow_name", "Sequence", 1),
            ("veltrix_workflow_instances_completed_total", "workflow_name", "Retrying", 1),
            ("veltrix_workflow_instances_completed_total", "workflow_name", "FailingChild", 0),
            ("veltrix_workflow_instances_completed_total", "workflow_name", "WaitForGo", 0),
            ("veltrix_workflow_instances_failed_total", "workflow_name", "FailingChild", 1),
            ("veltrix_workflow_instances_failed_total", "workflow_name", "Sequence", 0),
            ("veltrix_workflow_instances_failed_total", "workflow_name", "Retrying", 0),
            ("veltrix_workflow_instances_terminated_total", "workflow_name", "WaitForGo", 1),
            ("veltrix_workflow_instances_terminated_total", "workflow_name", "Sequence", 0),
            ("veltrix_workflow_turns_total", "workflow_name", "Sequence", 4),
            ("veltrix_workflow_turns_total", "workflow_name", "FailingChild", 1),
            ("veltrix_workflow_turns_total", "workflow_name", "Retrying", 6),
            ("veltrix_workflow_turns_total", "workflow_name", "WaitForGo", 2),
            ("veltrix_workflow_activities_dispatched_total", "activity_name", "Append", 3),
            ("veltrix_workflow_activities_dispatched_total", "activity_name", "Flaky", 3),
            ("veltrix_workflow_activities_completed_total", "activity_name", "Append", 3),
            ("veltrix_workflow_activities_completed_total", "activity_name", "Flaky", 1),
            ("veltrix_workflow_activities_failed_total", "activity_name", "Flaky", 2),
            ("veltrix_workflow_activities_failed_total", "activity_name", "Append", 0),
            ("veltrix_workflow_activities_retried_total", "activity_name", "Flaky", 2),
            ("veltrix_workflow_activities_retried_total", "activity_name", "Append", 0),
        };
        PrometheusScrape? after = null;
        string[] Mismatches() => expected
            .Select(e => (e, Moved: after!.Value(e.Metric, app, (e.Label, e.Name)) - before.Value(e.Metric, app, (e.Label, e.Name))))
            .Where(m => m.Moved != m.e.Delta)
            .Select(m => $"{m.e.Metric}{{{m.e.Label}=\"{m.e.Name}\"}} moved by {m.Moved}, expected {m.e.Delta}")
            .ToArray();
        // A counter is added right after the commit the client can already see, so the last ones may trail by a moment.
        var settled = await Eventually.TryAsync(async () =>
        {
            after = await PrometheusScrape.ReadAsync(metrics);
            return Mismatches().Length == 0;
        }, TimeSpan.FromSeconds(10));
        Assert.True(settled, string.Join('\n', Mismatches()) + "\n--- scrape:\n" + after!.Text);
        // Labelled by app: nothing was counted under another app ID.
        Assert.Equal(after.Value("veltrix_workflow_instances_started_total"), after.Value("veltrix_workflow_instances_started_total", app));
    }

    [Fact]
    public async Task The_metrics_port_serves_metrics_without_the_api_token_and_nothing_else()
    {
        using var resources = new ResourcesFolder();
        var metricsPort = FreePort.Next();
        await using var sidecar = await SidecarProcess.StartForAppAsync("metrics-" + Guid.NewGuid().ToString("N")[..6], null, [resources.Path],
            new Dictionary<string, string?> { ["DAPR_API_TOKEN"] = "secret" }, ["--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture)], waitForApp: false);
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        using var api = new HttpClient { BaseAddress = sidecar.BaseAddress };

        // As daprd: the metrics endpoint asks for no token, while the API on its own port still does.
        var scrape = await metrics.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/v1.0/metadata")).StatusCode);
        // No Dapr API behind the metrics port, token or not.
        using var withToken = new HttpRequestMessage(HttpMethod.Get, "/v1.0/metadata") { Headers = { { "dapr-api-token", "secret" } } };
        Assert.Equal(HttpStatusCode.NotFound, (await metrics.SendAsync(withToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await metrics.GetAsync("/v1.0/healthz")).StatusCode);
    }

    [Theory]
    [InlineData("Traced")]
    [InlineData("TracedChild")] // the activity of a child workflow: the context goes on through the child's start
    public async Task Without_an_exporter_the_activity_code_runs_in_the_callers_own_trace(string workflow)
    {
        // No OTLP endpoint (even if the test runner has one): the sidecar records nothing and hands the caller's context on.
        await using var harness = await WorkflowHarness.StartAsync("sqlite", environment: NoExporter);
        var key = Guid.NewGuid().ToString("N");
        var caller = await RunTracedAsync(harness, key, workflow);

        Assert.Equal([$"{caller.TraceId}/{caller.SpanId}"], TestWorkflows.Log[key]);
    }

    [Fact]
    public async Task A_start_over_the_HTTP_API_continues_the_traceparent_header()
    {
        await using var harness = await WorkflowHarness.StartAsync("sqlite", environment: NoExporter);
        using var http = new HttpClient { BaseAddress = harness.Sidecar.BaseAddress };
        var key = Guid.NewGuid().ToString("N");
        var (traceId, spanId) = (ActivityTraceId.CreateRandom().ToHexString(), ActivitySpanId.CreateRandom().ToHexString());
        using var start = new HttpRequestMessage(HttpMethod.Post, "/v1.0/workflows/dapr/Traced/start")
        {
            Content = new StringContent($"\"{key}\"", System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "traceparent", $"00-{traceId}-{spanId}-01" } },
        };
        using var started = await http.SendAsync(start);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);

        await Eventually.UntilAsync(() => TestWorkflows.Log.ContainsKey(key), "the activity ran");
        Assert.Equal([$"{traceId}/{spanId}"], TestWorkflows.Log[key]);
    }

    [Fact]
    public async Task The_callers_trace_is_stored_with_the_instance_and_survives_a_sidecar_kill()
    {
        await using var harness = await WorkflowHarness.StartAsync("sqlite", environment: NoExporter);
        var key = Guid.NewGuid().ToString("N");
        using var caller = new Activity("caller");
        caller.SetIdFormat(ActivityIdFormat.W3C);
        caller.Start();
        var id = await harness.Client.ScheduleNewWorkflowAsync("TracedAfterGo", WorkflowHarness.NewId(), key);
        caller.Stop();
        await harness.UntilStatusAsync(id, WorkflowRuntimeStatus.Running);

        // Nothing of the first process is left: the activity dispatched after the restart finds the trace in stored history.
        await harness.RestartSidecarAsync();
        await harness.Client.RaiseEventAsync(id, "go", "now");
        await harness.UntilStatusAsync(id, WorkflowRuntimeStatus.Completed, TimeSpan.FromSeconds(60));

        Assert.Equal([$"{caller.TraceId.ToHexString()}/{caller.SpanId.ToHexString()}"], TestWorkflows.Log[key]);
    }

    [Fact]
    public async Task Exported_spans_chain_caller_create_turns_and_activity_and_the_activity_code_continues_them()
    {
        await using var collector = await OtlpTraceReceiver.StartAsync();
        await using var harness = await WorkflowHarness.StartAsync("sqlite", environment: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        var key = Guid.NewGuid().ToString("N");
        var caller = await RunTracedAsync(harness, key);

        List<OtlpTraceReceiver.Span> Trace() => collector.Spans.Where(s => s.TraceId == caller.TraceId).ToList();
        // Two turns (schedule the activity; see its answer and complete), one create, one activity.
        await Eventually.UntilAsync(() => Trace().Count >= 4, "the workflow's four spans exported", TimeSpan.FromSeconds(20));
        var trace = Trace();
        var create = Assert.Single(trace, s => s.Name == "create_orchestration||Traced");
        var turns = trace.Where(s => s.Name == "orchestration||Traced").ToList();
        var activity = Assert.Single(trace, s => s.Name == "activity||SeeTrace");
        Assert.Equal(4, trace.Count);
        Assert.Equal(2, turns.Count);

        Assert.Equal(caller.SpanId, create.ParentSpanId); // StartInstance continues the caller's span
        Assert.All(turns, turn => Assert.Equal(create.SpanId, turn.ParentSpanId)); // each turn: a child of the stored start
        Assert.Contains(activity.ParentSpanId, turns.Select(t => t.SpanId)); // the activity: a child of the turn that scheduled it
        Assert.Equal([$"{caller.TraceId}/{activity.SpanId}"], TestWorkflows.Log[key]); // the app's code: a child of the activity span
    }

    /// <summary>Whatever the test runner's environment says, this sidecar exports nothing.</summary>
    private static Dictionary<string, string?> NoExporter => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "", ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "", ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = "",
    };

    /// <summary>Starts a workflow inside a sampled caller span (so the SDK sends its context) and waits for it.</summary>
    private static async Task<(string TraceId, string SpanId)> RunTracedAsync(WorkflowHarness harness, string key, string workflow = "Traced")
    {
        using var caller = new Activity("caller");
        caller.SetIdFormat(ActivityIdFormat.W3C);
        caller.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        caller.Start();
        var id = await harness.Client.ScheduleNewWorkflowAsync(workflow, WorkflowHarness.NewId(), key);
        caller.Stop();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var done = await harness.Client.WaitForWorkflowCompletionAsync(id, true, deadline.Token);
        Assert.Equal(WorkflowRuntimeStatus.Completed, done.RuntimeStatus);
        return (caller.TraceId.ToHexString(), caller.SpanId.ToHexString());
    }
}
