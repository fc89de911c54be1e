using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Veltrix.Sidecar.Workflows;

/// <summary>
/// The engine's counters, on the meter <see cref="MeterName"/>: instances started and ended (by app and workflow name),
/// activities dispatched, answered and retried (by app and activity name), and turns run. Each is counted once the
/// change it describes is stored, so a count never runs ahead of what a restart would find. Compensation is not here:
/// only the app knows that a run of activities undoes earlier ones, so apps count it themselves.
/// </summary>
internal static class WorkflowMetrics
{
    public const string MeterName = "Veltrix.Sidecar.Workflows";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> InstancesStarted = Meter.CreateCounter<long>("veltrix.workflow.instances.started", description: "Workflow instances created (StartInstance and child workflows).");
    private static readonly Counter<long> InstancesCompleted = Meter.CreateCounter<long>("veltrix.workflow.instances.completed", description: "Workflow instances that ended COMPLETED.");
    private static readonly Counter<long> InstancesFailed = Meter.CreateCounter<long>("veltrix.workflow.instances.failed", description: "Workflow instances that ended FAILED.");
    private static readonly Counter<long> InstancesTerminated = Meter.CreateCounter<long>("veltrix.workflow.instances.terminated", description: "Workflow instances that ended TERMINATED.");
    private static readonly Counter<long> Turns = Meter.CreateCounter<long>("veltrix.workflow.turns", description: "Workflow turns (orchestrator work items) committed.");
    private static readonly Counter<long> ActivitiesDispatched = Meter.CreateCounter<long>("veltrix.workflow.activities.dispatched", description: "Activity work items queued for a worker.");
    private static readonly Counter<long> ActivitiesCompleted = Meter.CreateCounter<long>("veltrix.workflow.activities.completed", description: "Activity answers stored as TaskCompleted.");
    private static readonly Counter<long> ActivitiesFailed = Meter.CreateCounter<long>("veltrix.workflow.activities.failed", description: "Activity answers stored as TaskFailed.");
    private static readonly Counter<long> ActivitiesRetried = Meter.CreateCounter<long>("veltrix.workflow.activities.retried", description: "Activity retries scheduled by a workflow (a retry timer after a failed attempt).");

    public static void InstanceStarted(string appId, string workflow) => InstancesStarted.Add(1, Workflow(appId, workflow));

    /// <summary>Counts an instance that reached a final status; continued-as-new is not an end.</summary>
    public static void InstanceEnded(string appId, string workflow, Dapr.DurableTask.Protobuf.OrchestrationStatus status)
    {
        var counter = status switch
        {
            Dapr.DurableTask.Protobuf.OrchestrationStatus.Completed => InstancesCompleted,
            Dapr.DurableTask.Protobuf.OrchestrationStatus.Failed => InstancesFailed,
            Dapr.DurableTask.Protobuf.OrchestrationStatus.Terminated => InstancesTerminated,
            _ => null,
        };
        counter?.Add(1, Workflow(appId, workflow));
    }

    public static void TurnCommitted(string appId, string workflow) => Turns.Add(1, Workflow(appId, workflow));

    public static void ActivityDispatched(string appId, string activity) => ActivitiesDispatched.Add(1, Activity(appId, activity));

    public static void ActivityAnswered(string appId, string activity, bool failed) => (failed ? ActivitiesFailed : ActivitiesCompleted).Add(1, Activity(appId, activity));

    public static void ActivityRetried(string appId, string activity) => ActivitiesRetried.Add(1, Activity(appId, activity));

    // daprd's label names (app_id, workflow_name, activity_name), so dashboards written for it read these too.
    private static TagList Workflow(string appId, string workflow) => new() { { "app_id", appId }, { "workflow_name", workflow } };

    private static TagList Activity(string appId, string activity) => new() { { "app_id", appId }, { "activity_name", activity } };
}
