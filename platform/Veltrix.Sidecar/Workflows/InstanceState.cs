using System.Diagnostics;
using Dapr.DurableTask.Protobuf;

namespace Veltrix.Sidecar.Workflows;

/// <summary>
/// One instance as the engine holds it in memory: the last committed record, its history and live inbox events, and
/// the turn currently out at a worker (at most one). Every change happens under <see cref="Lock"/> and only after the
/// store accepted it, so memory never runs ahead of what a restart would reload.
/// </summary>
internal sealed class InstanceState(InstanceRecord record, string? etag, List<HistoryEvent> history, Dictionary<long, HistoryEvent> inbox)
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SemaphoreSlim Lock { get; } = new(1, 1);
    public InstanceRecord Record { get; set; } = record;
    public string? ETag { get; set; } = etag;
    public List<HistoryEvent> History { get; set; } = history;
    public Dictionary<long, HistoryEvent> Inbox { get; } = inbox;
    public bool Purged { get; set; }

    /// <summary>The outstanding turn: its completion token, the inbox keys it carries and the new events exactly as sent.</summary>
    public string? TurnToken { get; set; }
    public IReadOnlyList<long> TurnInbox { get; set; } = [];
    public IReadOnlyList<HistoryEvent> TurnEvents { get; set; } = [];

    /// <summary>The span of the outstanding turn (null when nothing listens): ended when the turn commits or comes back unanswered.</summary>
    public Activity? TurnSpan { get; set; }

    /// <summary>The spans of dispatched activities by task ID, ended by the answer (or when the instance stops waiting for it).</summary>
    public Dictionary<int, Activity> ActivitySpans { get; } = [];

    /// <summary>The earliest time a wake-up is already armed for, so each future inbox event arms one timer, not one per look.</summary>
    public DateTimeOffset? ArmedFor { get; set; }

    public OrchestrationStatus Status => WorkflowStatus.Of(History);

    /// <summary>Completes on the next committed change: the wait RPCs sleep on it instead of polling.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public void Signal() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
