using System.Diagnostics;
using Dapr.DurableTask.Protobuf;

namespace Veltrix.Sidecar.Workflows;

/// <summary>
/// The engine's spans, on the activity source <see cref="SourceName"/>, named and tagged as durabletask-go (daprd's engine)
/// names them: `create_orchestration||&lt;name&gt;` for StartInstance, `orchestration||&lt;name&gt;` for each turn (daprd has
/// one long span per instance instead; a turn is what this engine can time honestly), `activity||&lt;name&gt;` from an
/// activity's dispatch to its answer.
/// <para>
/// The trace travels as daprd carries it, durably in history: the caller's context (the request's parentTraceContext,
/// else the call's `traceparent` header) parents the create span, whose context is stored in ExecutionStarted; each
/// turn is a child of that; a scheduled task stores the turn's context in TaskScheduled; the activity span is its child,
/// and the ActivityRequest carries the activity span, so the app's activity code (which the SDK runs under
/// parentTraceContext) continues the same trace — after a restart too, since every link is in stored history.
/// </para>
/// <para>
/// When nothing listens to the source (no OTLP endpoint), no span is made and each link hands on the context it was given,
/// so the caller's trace still reaches the app's code unbroken.
/// </para>
/// </summary>
internal static class WorkflowTracing
{
    public const string SourceName = "Veltrix.Sidecar.Workflows";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartCreate(TraceContext? caller, string appId, string workflow, string instanceId) =>
        Start($"create_orchestration||{workflow}", ActivityKind.Client, caller,
            [new("durabletask.type", "orchestration"), new("durabletask.task.name", workflow), new("durabletask.task.instance_id", instanceId), new("dapr.app_id", appId)]);

    public static Activity? StartTurn(TraceContext? instance, string appId, string workflow, string instanceId) =>
        Start($"orchestration||{workflow}", ActivityKind.Server, instance,
            [new("durabletask.type", "orchestration"), new("durabletask.task.name", workflow), new("durabletask.task.instance_id", instanceId), new("dapr.app_id", appId)]);

    public static Activity? StartActivity(TraceContext? scheduledBy, string appId, string activity, string instanceId, int taskId) =>
        Start($"activity||{activity}", ActivityKind.Server, scheduledBy,
            [new("durabletask.type", "activity"), new("durabletask.task.name", activity), new("durabletask.task.task_id", taskId), new("durabletask.task.instance_id", instanceId), new("dapr.app_id", appId)]);

    /// <summary>The context the next link is a child of: the span's when there is one, else the one it would have had as parent.</summary>
    public static TraceContext? Continue(Activity? span, TraceContext? parent) =>
        span is { IdFormat: ActivityIdFormat.W3C, Id: { } id }
            ? new TraceContext { TraceParent = id, TraceState = string.IsNullOrEmpty(span.TraceStateString) ? null : span.TraceStateString }
            : parent?.Clone();

    /// <summary>The W3C `traceparent` / `tracestate` metadata of a call, for callers that send the header but not the field.</summary>
    public static TraceContext? FromHeaders(string? traceParent, string? traceState) =>
        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out _)
            ? new TraceContext { TraceParent = traceParent, TraceState = string.IsNullOrEmpty(traceState) ? null : traceState }
            : null;

    /// <summary>
    /// A fresh root for a continued-as-new generation, as daprd does: reusing the first generation's context would grow
    /// an eternal workflow's trace without end.
    /// </summary>
    public static TraceContext? NewRootFor(TraceContext? previous) =>
        previous is null ? null : new TraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01" };

    public static void Fail(Activity? span, string? message) => span?.SetStatus(ActivityStatusCode.Error, message);

    private static Activity? Start(string name, ActivityKind kind, TraceContext? parent, KeyValuePair<string, object?>[] tags)
    {
        if (!Source.HasListeners()) return null;
        var parentContext = parent is { TraceParent.Length: > 0 } && ActivityContext.TryParse(parent.TraceParent, parent.TraceState, isRemote: true, out var parsed) ? parsed : default;
        // The engine's spans belong to the instance's trace, never to whichever RPC happened to trigger the dispatch
        // (ASP.NET Core makes the incoming call Activity.Current), and they outlive the call: start detached, put back.
        var ambient = Activity.Current;
        Activity.Current = null;
        try
        {
            return Source.StartActivity(name, kind, parentContext, tags);
        }
        finally
        {
            Activity.Current = ambient;
        }
    }
}
