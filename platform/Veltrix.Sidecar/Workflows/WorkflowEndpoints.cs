using System.Text;
using System.Text.Json.Nodes;
using Dapr.DurableTask.Protobuf;
using Grpc.Core;
using Veltrix.Sidecar.Api;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Workflows;

/// <summary>
/// Dapr's workflow management API on the HTTP port (`/v1.0/workflows/dapr/…`), over the same engine as the gRPC
/// service; the API-token middleware guards it like the rest of the HTTP API. Answers and error codes are daprd's
/// (legacy `{errorCode,message}` bodies; 202 with `{}` for the operations without a result).
/// </summary>
internal static class WorkflowEndpoints
{
    private const string Prefix = "/v1.0/workflows/{component}";

    public static IEndpointRouteBuilder MapWorkflowApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Prefix + "/{name}/start", StartAsync);
        endpoints.MapGet(Prefix + "/{id}", GetAsync);
        endpoints.MapPost(Prefix + "/{id}/terminate", (HttpContext c, SidecarRuntime r, WorkflowEngines e, string component, string id) =>
            Run(c, r, e, component, "ERR_TERMINATE_WORKFLOW", engine => engine.TerminateAsync(id, null, true, c.RequestAborted)));
        endpoints.MapPost(Prefix + "/{id}/raiseEvent/{eventName}", async (HttpContext c, SidecarRuntime r, WorkflowEngines e, string component, string id, string eventName) =>
        {
            var body = await c.Request.ReadBodyAsync(c.RequestAborted);
            return await Run(c, r, e, component, "ERR_RAISE_EVENT_WORKFLOW", engine => engine.RaiseEventAsync(id, eventName, Encoding.UTF8.GetString(body), c.RequestAborted));
        });
        endpoints.MapPost(Prefix + "/{id}/pause", (HttpContext c, SidecarRuntime r, WorkflowEngines e, string component, string id) =>
            Run(c, r, e, component, "ERR_PAUSE_WORKFLOW", engine => engine.SuspendAsync(id, "", c.RequestAborted)));
        endpoints.MapPost(Prefix + "/{id}/resume", (HttpContext c, SidecarRuntime r, WorkflowEngines e, string component, string id) =>
            Run(c, r, e, component, "ERR_RESUME_WORKFLOW", engine => engine.ResumeAsync(id, "", c.RequestAborted)));
        endpoints.MapPost(Prefix + "/{id}/purge", (HttpContext c, SidecarRuntime r, WorkflowEngines e, string component, string id) =>
            Run(c, r, e, component, "ERR_PURGE_WORKFLOW", engine => engine.PurgeAsync(id, true, c.RequestAborted)));
        return endpoints;
    }

    private static async Task<IResult> StartAsync(HttpContext context, SidecarRuntime runtime, WorkflowEngines engines, string component, string name)
    {
        if (component != "dapr") return DaprErrors.Legacy(400, "ERR_WORKFLOW_COMPONENT_NOT_FOUND", $"workflow component '{component}' is not supported");
        var id = context.Request.Query["instanceID"].ToString();
        if (id.Length > 64) return DaprErrors.Legacy(400, "ERR_INSTANCE_ID_TOO_LONG", $"workflow instance ID exceeds the max length of 64 characters");
        if (id.Length > 0 && !id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
            return DaprErrors.Legacy(400, "ERR_INSTANCE_ID_INVALID", $"workflow instance ID '{id}' is invalid: only alphanumeric and underscore characters are allowed");
        var input = Encoding.UTF8.GetString(await context.Request.ReadBodyAsync(context.RequestAborted));
        try
        {
            var engine = engines.For(runtime.For(context));
            var started = await engine.StartAsync(new CreateInstanceRequest
            {
                InstanceId = id.Length > 0 ? id : Guid.NewGuid().ToString(), Name = name, Input = input,
                // As daprd: an HTTP caller's W3C headers are the workflow's parent trace.
                ParentTraceContext = WorkflowTracing.FromHeaders(context.Request.Headers.TraceParent.ToString(), context.Request.Headers.TraceState.ToString()),
            }, context.RequestAborted);
            return Results.Json(new JsonObject { ["instanceID"] = started }, SidecarJson.Default.JsonObject, statusCode: 202);
        }
        catch (WorkflowException e)
        {
            return DaprErrors.Legacy(500, "ERR_START_WORKFLOW", $"error starting workflow '{name}': {e.Message}");
        }
    }

    private static IResult GetAsync(HttpContext context, SidecarRuntime runtime, WorkflowEngines engines, string component, string id)
    {
        if (component != "dapr") return DaprErrors.Legacy(400, "ERR_WORKFLOW_COMPONENT_NOT_FOUND", $"workflow component '{component}' is not supported");
        WorkflowEngine engine;
        try
        {
            engine = engines.For(runtime.For(context));
        }
        catch (WorkflowException e)
        {
            return DaprErrors.Legacy(500, "ERR_GET_WORKFLOW", e.Message);
        }
        var described = TaskHubSidecarApi.Describe(engine.Find(id), withPayloads: true);
        if (!described.Exists) return DaprErrors.Legacy(404, "ERR_INSTANCE_ID_NOT_FOUND", $"unable to find workflow with the provided instance ID: {id}");
        var state = described.WorkflowState;
        var properties = new JsonObject();
        if (state.Input is { } input) properties["dapr.workflow.input"] = input;
        if (state.Output is { } output) properties["dapr.workflow.output"] = output;
        if (state.CustomStatus is { } custom) properties["dapr.workflow.custom_status"] = custom;
        if (state.FailureDetails is { } failure)
        {
            properties["dapr.workflow.failure.error_type"] = failure.ErrorType;
            properties["dapr.workflow.failure.error_message"] = failure.ErrorMessage;
            if (failure.StackTrace is { } stack) properties["dapr.workflow.failure.stack_trace"] = stack;
        }
        var body = new JsonObject
        {
            ["instanceID"] = state.InstanceId,
            ["workflowName"] = state.Name,
            ["createdAt"] = state.CreatedTimestamp.ToDateTimeOffset().ToString("O"),
            ["lastUpdatedAt"] = state.LastUpdatedTimestamp.ToDateTimeOffset().ToString("O"),
            ["runtimeStatus"] = StatusName(state.WorkflowStatus),
            ["properties"] = properties,
        };
        return Results.Json(body, SidecarJson.Default.JsonObject);
    }

    private static async Task<IResult> Run(HttpContext context, SidecarRuntime runtime, WorkflowEngines engines, string component, string errorCode, Func<WorkflowEngine, Task> operation)
    {
        if (component != "dapr") return DaprErrors.Legacy(400, "ERR_WORKFLOW_COMPONENT_NOT_FOUND", $"workflow component '{component}' is not supported");
        try
        {
            await operation(engines.For(runtime.For(context)));
            return Results.Json(new JsonObject(), SidecarJson.Default.JsonObject, statusCode: 202);
        }
        catch (WorkflowException e) when (e.Status == StatusCode.NotFound)
        {
            return DaprErrors.Legacy(404, "ERR_INSTANCE_ID_NOT_FOUND", e.Message);
        }
        catch (WorkflowException e)
        {
            return DaprErrors.Legacy(500, errorCode, e.Message);
        }
    }

    private static string StatusName(OrchestrationStatus status) => status switch
    {
        OrchestrationStatus.Running => "RUNNING",
        OrchestrationStatus.Completed => "COMPLETED",
        OrchestrationStatus.ContinuedAsNew => "CONTINUED_AS_NEW",
        OrchestrationStatus.Failed => "FAILED",
        OrchestrationStatus.Canceled => "CANCELED",
        OrchestrationStatus.Terminated => "TERMINATED",
        OrchestrationStatus.Pending => "PENDING",
        OrchestrationStatus.Suspended => "SUSPENDED",
        _ => status.ToString().ToUpperInvariant(),
    };
}
