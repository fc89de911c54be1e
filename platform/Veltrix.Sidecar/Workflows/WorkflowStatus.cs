using Dapr.DurableTask.Protobuf;

namespace Veltrix.Sidecar.Workflows;

/// <summary>The runtime status, derived from history as durabletask does, so it cannot drift from what the worker replays.</summary>
internal static class WorkflowStatus
{
    public static OrchestrationStatus Of(IReadOnlyList<HistoryEvent> history)
    {
        if (!history.Any(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted)) return OrchestrationStatus.Pending;
        if (history.LastOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionCompleted) is { } completed)
            return completed.ExecutionCompleted.WorkflowStatus;
        var lastSuspendOrResume = history.LastOrDefault(e => e.EventTypeCase is HistoryEvent.EventTypeOneofCase.ExecutionSuspended or HistoryEvent.EventTypeOneofCase.ExecutionResumed);
        return lastSuspendOrResume?.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionSuspended ? OrchestrationStatus.Suspended : OrchestrationStatus.Running;
    }

    public static bool IsTerminal(OrchestrationStatus status) =>
        status is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;
}
