using Veltrix.Testing;
using System.Net;
using System.Text;
using System.Text.Json;
using Dapr.Workflow;
using Grpc.Core;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>
/// What surrounds the engine: the refusal without an actor state store (VX2012), the configured bounds
/// (ResourceExhausted naming the flag), and Dapr's workflow HTTP API on the HTTP port over the same engine.
/// </summary>
public sealed class SetupConformanceTests
{
    [Fact]
    public async Task Without_an_actor_state_store_every_workflow_call_fails_with_VX2012()
    {
        await using var harness = await WorkflowHarness.StartAsync("sqlite", actorStore: false);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.ScheduleNewWorkflowAsync("Sequence", WorkflowHarness.NewId(), "x"));
        var rpc = error as RpcException ?? (RpcException)error.InnerException!;
        Assert.Equal(StatusCode.FailedPrecondition, rpc.StatusCode);
        Assert.Contains("VX2012", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("actorStateStore", rpc.Status.Detail, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = harness.Sidecar.BaseAddress };
        var answer = await http.PostAsync("/v1.0/workflows/dapr/Sequence/start", new StringContent("\"x\""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
        Assert.Contains("VX2012", await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task More_running_instances_than_the_bound_are_refused_with_ResourceExhausted(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store, ["--max-workflow-instances", "2"]);
        await harness.Client.ScheduleNewWorkflowAsync("WaitForGo", WorkflowHarness.NewId(), "");
        var second = await harness.Client.ScheduleNewWorkflowAsync("WaitForGo", WorkflowHarness.NewId(), "");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.ScheduleNewWorkflowAsync("WaitForGo", WorkflowHarness.NewId(), ""));
        var rpc = error as RpcException ?? (RpcException)error.InnerException!;
        Assert.Equal(StatusCode.ResourceExhausted, rpc.StatusCode);
        Assert.Contains("--max-workflow-instances", rpc.Status.Detail, StringComparison.Ordinal);
        // A finished instance frees its place.
        await harness.Client.RaiseEventAsync(second, "go", "");
        await harness.Client.WaitForWorkflowCompletionAsync(second, cancellation: Deadline.After());
        await harness.Client.ScheduleNewWorkflowAsync("WaitForGo", WorkflowHarness.NewId(), "");
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task More_queued_events_than_the_bound_are_refused_with_ResourceExhausted(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store, ["--max-workflow-work-items", "3"]);
        // Not due for an hour: its start and the events raised for it wait in its inbox (3 = the start + 2 events).
        var id = await harness.Client.ScheduleNewWorkflowAsync("WaitForGo", WorkflowHarness.NewId(), "", DateTimeOffset.UtcNow.AddHours(1));
        var refused = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            try
            {
                await harness.Client.RaiseEventAsync(id, "other", i);
            }
            catch (Exception e) when ((e as RpcException ?? e.InnerException as RpcException)?.StatusCode == StatusCode.ResourceExhausted)
            {
                Assert.Contains("--max-workflow-work-items", (e as RpcException ?? (RpcException)e.InnerException!).Status.Detail, StringComparison.Ordinal);
                refused.Add(i);
            }
        }
        Assert.Equal([2, 3], refused);
    }

    [Theory]
    [MemberData(nameof(WorkflowHarness.Stores), MemberType = typeof(WorkflowHarness))]
    public async Task The_HTTP_workflow_API_starts_reads_raises_pauses_resumes_terminates_and_purges(string store)
    {
        await using var harness = await WorkflowHarness.StartAsync(store);
        using var http = new HttpClient { BaseAddress = harness.Sidecar.BaseAddress };
        var ct = TestContext.Current.CancellationToken;
        var id = WorkflowHarness.NewId();

        var start = await http.PostAsync($"/v1.0/workflows/dapr/WaitForGo/start?instanceID={id}", new StringContent("\"in\"", Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.Equal(id, JsonDocument.Parse(await start.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("instanceID").GetString());

        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/v1.0/workflows/dapr/{id}/pause", null, ct)).StatusCode);
        Assert.Equal("SUSPENDED", await Status(http, id));
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/v1.0/workflows/dapr/{id}/resume", null, ct)).StatusCode);
        Assert.Equal("RUNNING", await Status(http, id));
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/v1.0/workflows/dapr/{id}/raiseEvent/go", new StringContent("\"out\""), ct)).StatusCode);
        var done = await harness.Client.WaitForWorkflowCompletionAsync(id, true, Deadline.After());
        Assert.Equal("out", done.ReadOutputAs<string>());

        var body = JsonDocument.Parse(await http.GetStringAsync($"/v1.0/workflows/dapr/{id}", ct)).RootElement;
        Assert.Equal("COMPLETED", body.GetProperty("runtimeStatus").GetString());
        Assert.Equal("WaitForGo", body.GetProperty("workflowName").GetString());
        Assert.Equal("\"in\"", body.GetProperty("properties").GetProperty("dapr.workflow.input").GetString());
        Assert.Equal("\"out\"", body.GetProperty("properties").GetProperty("dapr.workflow.output").GetString());

        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/v1.0/workflows/dapr/{id}/purge", null, ct)).StatusCode);
        var gone = await http.GetAsync($"/v1.0/workflows/dapr/{id}", ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("ERR_INSTANCE_ID_NOT_FOUND", JsonDocument.Parse(await gone.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("errorCode").GetString());

        var other = JsonDocument.Parse(await (await http.PostAsync("/v1.0/workflows/dapr/WaitForGo/start", new StringContent("\"\""), ct)).Content.ReadAsStringAsync(ct))
            .RootElement.GetProperty("instanceID").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/v1.0/workflows/dapr/{other}/terminate", null, ct)).StatusCode);
        Assert.Equal(WorkflowRuntimeStatus.Terminated, (await harness.Client.GetWorkflowStateAsync(other)).RuntimeStatus);
    }

    private static async Task<string?> Status(HttpClient http, string id) =>
        JsonDocument.Parse(await http.GetStringAsync($"/v1.0/workflows/dapr/{id}")).RootElement.GetProperty("runtimeStatus").GetString();
}
