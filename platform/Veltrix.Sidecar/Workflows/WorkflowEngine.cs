using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Dapr.DurableTask.Protobuf;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Veltrix.Sidecar.Components.State;

namespace Veltrix.Sidecar.Workflows;

/// <summary>
/// The durable workflow engine of one app, over its actor state store. Every change to an instance — start, an inbox
/// event, a committed turn, an activity answer, a purge — is one <see cref="IStateStore.ApplyAsync"/> batch guarded by
/// the ETag of the instance's metadata, made under the instance's lock, and applied to memory only once stored. So a
/// kill -9 at any point leaves either the old or the new state, never half a turn; <see cref="RecoverAsync"/> picks
/// the work up again from what is stored.
/// </summary>
internal sealed class WorkflowEngine
{
    private static readonly DateTimeOffset NeverFires = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _appId;
    private readonly IStateStore _store;
    private readonly WorkflowLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, InstanceState> _instances = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _indexLock = new(1, 1);

    public WorkflowEngine(string appId, IStateStore store, WorkflowLimits limits, TimeProvider time, ILogger log)
    {
        (_appId, _store, _limits, _time, _log) = (appId, store, limits, time, log);
        Queue.Returned = Redispatch;
    }

    public WorkItemQueue Queue { get; } = new();

    private DateTimeOffset Now => _time.GetUtcNow();

    // ---------------------------------------------------------------- start-up

    /// <summary>
    /// Loads every instance of the index and puts its work back in motion: pending activities are queued again (at least
    /// once), inbox events are dispatched when visible and timers re-armed for the others.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var index = await _store.GetAsync(WorkflowKeys.Index(_appId), cancellationToken);
        var ids = index is null ? [] : JsonSerializer.Deserialize(index.Value, WorkflowJson.Default.ListString) ?? [];
        foreach (var id in ids)
        {
            var stored = await _store.GetAsync(WorkflowKeys.Metadata(_appId, id), cancellationToken);
            if (stored is null) continue; // created in the index, crashed before the instance batch: nothing to resume
            var record = JsonSerializer.Deserialize(stored.Value, WorkflowJson.Default.InstanceRecord)!;
            var historyKeys = Enumerable.Range(0, record.HistoryLength).Select(i => WorkflowKeys.History(_appId, id, i)).ToList();
            var history = (await _store.GetManyAsync(historyKeys, cancellationToken)).Select(v => HistoryEvent.Parser.ParseFrom(v!.Value)).ToList();
            var inboxKeys = record.Inbox.Select(e => WorkflowKeys.Inbox(_appId, id, e.Sequence)).ToList();
            var inboxValues = await _store.GetManyAsync(inboxKeys, cancellationToken);
            var inbox = record.Inbox.Zip(inboxValues).ToDictionary(p => p.First.Sequence, p => HistoryEvent.Parser.ParseFrom(p.Second!.Value));
            _instances[id] = new InstanceState(record, stored.ETag, history, inbox);
        }
        foreach (var instance in _instances.Values)
        {
            foreach (var taskId in instance.Record.PendingActivities) EnqueueActivity(instance, taskId);
            await TryDispatchAsync(instance);
        }
        foreach (var instance in _instances.Values.ToList()) await ResendLostMessagesAsync(instance);
        if (_instances.Count > 0) _log.LogInformation("workflows of app {App}: recovered {Count} instance(s)", _appId, _instances.Count);
    }

    /// <summary>
    /// Messages between instances (start a child, a child's result to its parent, terminate the children) are sent right
    /// after the sender's turn is committed, so a kill in between would lose them. They follow from committed history,
    /// so at start-up each one whose effect is missing is sent again; the checks make that idempotent (a child that
    /// exists is not started twice, a result already in the parent's history or inbox is not sent twice).
    /// </summary>
    private async Task ResendLostMessagesAsync(InstanceState instance)
    {
        var history = instance.History;
        if (history.FirstOrDefault(IsStart)?.ExecutionStarted is not { } started) return;
        var status = WorkflowStatus.Of(history);
        if (!WorkflowStatus.IsTerminal(status))
        {
            foreach (var created in history.Where(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated))
            {
                var key = (HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated, created.EventId);
                if (_instances.ContainsKey(created.ChildWorkflowInstanceCreated.InstanceId) || history.Concat(instance.Inbox.Values).Any(e => CompletionKey(e) == key)) continue;
                var child = created.ChildWorkflowInstanceCreated;
                await StartChildAsync(child.InstanceId, new ExecutionStartedEvent
                {
                    Name = child.Name, Version = child.Version, Input = child.Input,
                    WorkflowInstance = new WorkflowInstance { InstanceId = child.InstanceId, ExecutionId = Guid.NewGuid().ToString("N") },
                    ParentInstance = new ParentInstanceInfo { TaskScheduledId = created.EventId, Name = started.Name, WorkflowInstance = started.WorkflowInstance.Clone() },
                    ParentTraceContext = child.ParentTraceContext,
                });
            }
            return;
        }
        var completed = history.Last(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionCompleted).ExecutionCompleted;
        if (started.ParentInstance is { } parent && Find(parent.WorkflowInstance.InstanceId) is { } waiting && !WorkflowStatus.IsTerminal(waiting.Status))
        {
            var key = (HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated, parent.TaskScheduledId);
            if (!waiting.History.Concat(waiting.Inbox.Values).Any(e => CompletionKey(e) == key)) await NotifyParentAsync(parent, completed);
        }
        if (status == OrchestrationStatus.Terminated)
            foreach (var childId in ChildrenOf(history)) await TerminateQuietlyAsync(childId, null, true);
    }

    // ---------------------------------------------------------------- client operations

    public async Task<string> StartAsync(CreateInstanceRequest request, CancellationToken cancellationToken)
    {
        var id = string.IsNullOrEmpty(request.InstanceId) ? Guid.NewGuid().ToString("N") : request.InstanceId;
        var scheduled = request.ScheduledStartTimestamp?.ToDateTimeOffset();
        var span = WorkflowTracing.StartCreate(request.ParentTraceContext, _appId, request.Name, id);
        try
        {
            var started = new ExecutionStartedEvent
            {
                Name = request.Name,
                Version = request.Version,
                Input = request.Input,
                WorkflowInstance = new WorkflowInstance { InstanceId = id, ExecutionId = Guid.NewGuid().ToString("N") },
                ScheduledStartTimestamp = request.ScheduledStartTimestamp,
                // Stored with the instance, so every later turn — after a restart too — continues the caller's trace.
                ParentTraceContext = WorkflowTracing.Continue(span, request.ParentTraceContext),
            };
            await CreateAsync(id, started, scheduled, cancellationToken);
        }
        catch (Exception e)
        {
            WorkflowTracing.Fail(span, e.Message);
            throw;
        }
        finally
        {
            span?.Dispose();
        }
        // As daprd: without a scheduled start the call returns once the first turn ran (the status left PENDING).
        if (scheduled is null) await WaitAsync(id, s => s != OrchestrationStatus.Pending, cancellationToken);
        return id;
    }

    public async Task<InstanceState?> WaitAsync(string instanceId, Func<OrchestrationStatus, bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_instances.TryGetValue(instanceId, out var instance) || instance.Purged) return null;
            var changed = instance.Changed; // taken before the check: a change after it still wakes the wait
            if (done(instance.Status)) return instance;
            await changed.WaitAsync(cancellationToken);
        }
    }

    public InstanceState? Find(string instanceId) => _instances.TryGetValue(instanceId, out var i) && !i.Purged ? i : null;

    public IReadOnlyList<string> InstanceIds() => _instances.Where(p => !p.Value.Purged).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();

    public async Task RaiseEventAsync(string instanceId, string name, string input, CancellationToken cancellationToken) =>
        await AddInboxAsync(instanceId, Event(e => e.EventRaised = new EventRaisedEvent { Name = name, Input = input }), Now, cancellationToken, refuseWhenFull: true);

    public async Task TerminateAsync(string instanceId, string? output, bool recursive, CancellationToken cancellationToken)
    {
        var terminated = new ExecutionTerminatedEvent { Recurse = recursive };
        if (output is not null) terminated.Input = output;
        await AddInboxAsync(instanceId, Event(e => e.ExecutionTerminated = terminated), Now, cancellationToken, refuseWhenFull: false);
        await WaitAsync(instanceId, WorkflowStatus.IsTerminal, cancellationToken);
    }

    public async Task SuspendAsync(string instanceId, string reason, CancellationToken cancellationToken)
    {
        var suspended = new ExecutionSuspendedEvent();
        if (reason.Length > 0) suspended.Input = reason;
        await AddInboxAsync(instanceId, Event(e => e.ExecutionSuspended = suspended), Now, cancellationToken, refuseWhenFull: false);
        await WaitAsync(instanceId, s => s == OrchestrationStatus.Suspended || WorkflowStatus.IsTerminal(s), cancellationToken);
    }

    public async Task ResumeAsync(string instanceId, string reason, CancellationToken cancellationToken)
    {
        var resumed = new ExecutionResumedEvent();
        if (reason.Length > 0) resumed.Input = reason;
        await AddInboxAsync(instanceId, Event(e => e.ExecutionResumed = resumed), Now, cancellationToken, refuseWhenFull: false);
        await WaitAsync(instanceId, s => s != OrchestrationStatus.Suspended, cancellationToken);
    }

    /// <summary>Deletes a finished instance (and, recursively, the children it created); the count of instances deleted.</summary>
    public async Task<int> PurgeAsync(string instanceId, bool recursive, CancellationToken cancellationToken)
    {
        var instance = Find(instanceId) ?? throw new WorkflowException(StatusCode.Unknown, "failed to purge workflow state: no such instance exists");
        List<string> children;
        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (!WorkflowStatus.IsTerminal(instance.Status))
                throw new WorkflowException(StatusCode.Unknown, "failed to purge workflow state: orchestration has not yet completed");
            children = ChildrenOf(instance.History);
            var operations = new List<StateOperation> { new DeleteOperation(WorkflowKeys.Metadata(_appId, instanceId), instance.ETag, false) };
            for (var i = 0; i < instance.Record.HistoryLength; i++) operations.Add(new DeleteOperation(WorkflowKeys.History(_appId, instanceId, i), null, false));
            foreach (var entry in instance.Record.Inbox) operations.Add(new DeleteOperation(WorkflowKeys.Inbox(_appId, instanceId, entry.Sequence), null, false));
            await _store.ApplyAsync(operations, cancellationToken);
            instance.Purged = true;
            _instances.TryRemove(instanceId, out _);
            instance.Signal();
        }
        finally
        {
            instance.Lock.Release();
        }
        await UpdateIndexAsync(ids => ids.Remove(instanceId), cancellationToken);
        var count = 1;
        if (recursive)
            foreach (var child in children)
                if (Find(child) is { } c && WorkflowStatus.IsTerminal(c.Status)) count += await PurgeAsync(child, recursive, cancellationToken);
        return count;
    }

    // ---------------------------------------------------------------- worker answers

    /// <summary>
    /// Commits a turn: the new events exactly as sent (same timestamps), then one event per action, the inbox events the
    /// turn carried removed (others that arrived meanwhile stay), all in one batch. A stale or repeated answer (token not
    /// the outstanding one) is ignored, so a worker that answers twice cannot apply a turn twice.
    /// </summary>
    public async Task CompleteTurnAsync(WorkflowResponse response, CancellationToken cancellationToken)
    {
        if (Find(response.InstanceId) is not { } instance) return;
        var effects = new List<Func<Task>>();
        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (instance.TurnToken is null || (response.CompletionToken.Length > 0 && response.CompletionToken != instance.TurnToken)) return;
            Queue.Acknowledge(instance.TurnToken);
            var now = Timestamp.FromDateTimeOffset(Now);
            var record = instance.Record;
            var history = new List<HistoryEvent>(instance.History);
            history.AddRange(instance.TurnEvents);
            var removedInbox = new HashSet<long>(instance.TurnInbox);
            var addedInbox = new List<(InboxEntry Entry, HistoryEvent Event)>();
            var pending = record.PendingActivities.ToList();
            var newActivities = new List<int>();
            var nextSequence = record.NextInboxSequence;
            var generation = record.Generation;
            var replaced = false;
            var started = history.First(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted).ExecutionStarted;
            // What this turn schedules (tasks, children) is a child of the turn's span, stored in the event that schedules it.
            var turnContext = WorkflowTracing.Continue(instance.TurnSpan, started.ParentTraceContext);
            var retried = new List<string>();

            foreach (var action in response.Actions)
            {
                if (WorkflowStatus.IsTerminal(WorkflowStatus.Of(history)) || replaced) break; // first completion wins
                switch (action.WorkflowActionTypeCase)
                {
                    case WorkflowAction.WorkflowActionTypeOneofCase.ScheduleTask:
                        var task = action.ScheduleTask;
                        var scheduled = new TaskScheduledEvent { Name = task.Name, Version = task.Version, Input = task.Input, TaskExecutionId = task.TaskExecutionId, ParentTraceContext = turnContext?.Clone() };
                        history.Add(new HistoryEvent { EventId = action.Id, Timestamp = now, TaskScheduled = scheduled });
                        pending.Add(action.Id);
                        newActivities.Add(action.Id);
                        break;
                    case WorkflowAction.WorkflowActionTypeOneofCase.CreateTimer:
                        var timer = action.CreateTimer;
                        // The SDK waits out a retry's back-off on a timer of this origin, right after the failed attempt.
                        if (timer.OriginCase == CreateTimerAction.OriginOneofCase.ActivityRetry) retried.Add(ActivityNameOf(history, timer.ActivityRetry.TaskExecutionId));
                        history.Add(new HistoryEvent { EventId = action.Id, Timestamp = now, TimerCreated = TimerCreated(timer) });
                        var fireAt = timer.FireAt.ToDateTimeOffset();
                        if (fireAt < NeverFires) // the "wait forever" sentinel needs no timer
                            addedInbox.Add((new InboxEntry(nextSequence++, fireAt, generation),
                                new HistoryEvent { EventId = -1, Timestamp = timer.FireAt, TimerFired = new TimerFiredEvent { TimerId = action.Id, FireAt = timer.FireAt } }));
                        break;
                    case WorkflowAction.WorkflowActionTypeOneofCase.CreateChildWorkflow:
                        var child = action.CreateChildWorkflow;
                        var childId = child.InstanceId.Length > 0 ? child.InstanceId : $"{record.InstanceId}:{action.Id:X4}";
                        history.Add(new HistoryEvent
                        {
                            EventId = action.Id, Timestamp = now,
                            ChildWorkflowInstanceCreated = new ChildWorkflowInstanceCreatedEvent { InstanceId = childId, Name = child.Name, Version = child.Version, Input = child.Input, ParentTraceContext = turnContext?.Clone() },
                        });
                        var childStarted = new ExecutionStartedEvent
                        {
                            Name = child.Name, Version = child.Version, Input = child.Input,
                            WorkflowInstance = new WorkflowInstance { InstanceId = childId, ExecutionId = Guid.NewGuid().ToString("N") },
                            ParentInstance = new ParentInstanceInfo { TaskScheduledId = action.Id, Name = started.Name, WorkflowInstance = started.WorkflowInstance.Clone() },
                            ParentTraceContext = turnContext?.Clone(),
                        };
                        effects.Add(() => StartChildAsync(childId, childStarted));
                        break;
                    case WorkflowAction.WorkflowActionTypeOneofCase.CompleteWorkflow:
                        var complete = action.CompleteWorkflow;
                        if (complete.WorkflowStatus == OrchestrationStatus.ContinuedAsNew)
                        {
                            // A new generation: history restarts with ExecutionStarted (same name and parent, new execution ID),
                            // and the carried-over events are the next turn's new events. Older timers and activity answers are
                            // dropped by generation.
                            generation++;
                            var next = started.Clone();
                            next.Input = complete.Result;
                            next.WorkflowInstance = new WorkflowInstance { InstanceId = record.InstanceId, ExecutionId = Guid.NewGuid().ToString("N") };
                            next.ParentTraceContext = WorkflowTracing.NewRootFor(started.ParentTraceContext);
                            history = [];
                            pending.Clear();
                            newActivities.Clear();
                            addedInbox.RemoveAll(a => true);
                            addedInbox.Add((new InboxEntry(nextSequence++, Now, generation), new HistoryEvent { EventId = -1, Timestamp = now, ExecutionStarted = next }));
                            foreach (var carried in complete.CarryoverEvents) addedInbox.Add((new InboxEntry(nextSequence++, Now, generation), carried));
                            replaced = true;
                            break;
                        }
                        var completed = new ExecutionCompletedEvent { WorkflowStatus = complete.WorkflowStatus, Result = complete.Result, FailureDetails = complete.FailureDetails };
                        history.Add(new HistoryEvent { EventId = action.Id, Timestamp = now, ExecutionCompleted = completed });
                        break;
                    case WorkflowAction.WorkflowActionTypeOneofCase.TerminateWorkflow:
                        var terminate = action.TerminateWorkflow;
                        effects.Add(() => TerminateQuietlyAsync(terminate.InstanceId, terminate.Reason, terminate.Recurse));
                        break;
                    case WorkflowAction.WorkflowActionTypeOneofCase.SendEvent:
                        // daprd refuses outbound events between instances ("don't know how to process outbound message"); so does this stand-in.
                        _log.LogWarning("workflow {Instance}: sendEvent is not supported by Dapr workflows; the event to {Target} is dropped", record.InstanceId, action.SendEvent.Instance?.InstanceId);
                        break;
                    default:
                        _log.LogWarning("workflow {Instance}: action {Action} is not supported by the dev sidecar and is ignored", record.InstanceId, action.WorkflowActionTypeCase);
                        break;
                }
            }

            // A terminate the worker did not answer with a completion is forced, as durabletask does.
            var terminatedBy = instance.TurnEvents.LastOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionTerminated)?.ExecutionTerminated;
            if (!replaced && terminatedBy is not null && !WorkflowStatus.IsTerminal(WorkflowStatus.Of(history)))
                history.Add(new HistoryEvent { EventId = -1, Timestamp = now, ExecutionCompleted = new ExecutionCompletedEvent { WorkflowStatus = OrchestrationStatus.Terminated, Result = terminatedBy.Input } });
            var finished = !replaced && WorkflowStatus.IsTerminal(WorkflowStatus.Of(history));
            OrchestrationStatus? endedWith = null;
            if (finished)
            {
                pending.Clear();
                newActivities.Clear();
                addedInbox.Clear();
                foreach (var entry in record.Inbox) removedInbox.Add(entry.Sequence); // nothing more will be read
                var final = history.Last(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionCompleted).ExecutionCompleted;
                endedWith = final.WorkflowStatus;
                if (started.ParentInstance is { } parent) effects.Add(() => NotifyParentAsync(parent, final));
                if (terminatedBy is { Recurse: true } || final.WorkflowStatus == OrchestrationStatus.Terminated)
                    foreach (var childId in ChildrenOf(history)) effects.Add(() => TerminateQuietlyAsync(childId, null, true));
            }

            var kept = record.Inbox.Where(e => !removedInbox.Contains(e.Sequence));
            // Events raised while this turn ran were not seen by the worker, so they are not among its carry-over events:
            // after a continue-as-new they belong to the new generation (as a queue holds them for the next execution in
            // durabletask). Answers and timers of the old generation are not moved: their ids mean nothing to the new one.
            if (replaced) kept = kept.Select(e => OutlivesGeneration(instance.Inbox[e.Sequence]) ? e with { Generation = generation } : e);
            var inbox = kept.Concat(addedInbox.Select(a => a.Entry)).ToList();
            var updated = record with
            {
                Generation = generation,
                HistoryLength = history.Count,
                NextInboxSequence = nextSequence,
                Inbox = inbox,
                PendingActivities = pending,
                CustomStatus = response.CustomStatus,
                Input = replaced ? addedInbox[0].Event.ExecutionStarted.Input : record.Input,
            };
            var operations = new List<StateOperation>();
            var firstWritten = replaced ? 0 : instance.History.Count;
            for (var i = firstWritten; i < history.Count; i++) operations.Add(Upsert(WorkflowKeys.History(_appId, record.InstanceId, i), history[i].ToByteArray()));
            for (var i = history.Count; i < record.HistoryLength; i++) operations.Add(new DeleteOperation(WorkflowKeys.History(_appId, record.InstanceId, i), null, false));
            foreach (var sequence in removedInbox) operations.Add(new DeleteOperation(WorkflowKeys.Inbox(_appId, record.InstanceId, sequence), null, false));
            foreach (var (entry, added) in addedInbox) operations.Add(Upsert(WorkflowKeys.Inbox(_appId, record.InstanceId, entry.Sequence), added.ToByteArray()));
            await SaveAsync(instance, updated, operations, cancellationToken);

            instance.History = history;
            foreach (var sequence in removedInbox) instance.Inbox.Remove(sequence);
            foreach (var (entry, added) in addedInbox) instance.Inbox[entry.Sequence] = added;
            instance.TurnToken = null;
            instance.Signal();
            WorkflowMetrics.TurnCommitted(_appId, started.Name);
            foreach (var activity in retried) WorkflowMetrics.ActivityRetried(_appId, activity);
            if (endedWith is { } ended) WorkflowMetrics.InstanceEnded(_appId, started.Name, ended);
            EndTurnSpan(instance, endedWith, replaced, history);
            if (finished || replaced) EndActivitySpans(instance, "the workflow stopped waiting for this activity");
            foreach (var taskId in newActivities) EnqueueActivity(instance, taskId);
        }
        finally
        {
            instance.Lock.Release();
        }
        await TryDispatchAsync(instance);
        foreach (var effect in effects) await effect();
    }

    /// <summary>What an outsider sent (an external event, terminate, suspend, resume) reaches whichever generation runs next.</summary>
    private static bool OutlivesGeneration(HistoryEvent inboxEvent) => inboxEvent.EventTypeCase is HistoryEvent.EventTypeOneofCase.EventRaised
        or HistoryEvent.EventTypeOneofCase.ExecutionTerminated or HistoryEvent.EventTypeOneofCase.ExecutionSuspended or HistoryEvent.EventTypeOneofCase.ExecutionResumed;

    /// <summary>
    /// An activity's answer becomes a TaskCompleted/TaskFailed inbox event, and the activity leaves the pending list, in
    /// the same batch: a repeated answer finds it no longer pending and is dropped.
    /// </summary>
    public async Task CompleteActivityAsync(ActivityResponse response, CancellationToken cancellationToken)
    {
        Queue.Acknowledge(response.CompletionToken);
        if (Find(response.InstanceId) is not { } instance) return;
        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (!instance.Record.PendingActivities.Contains(response.TaskId)) return;
            var scheduled = instance.History.FirstOrDefault(e => e.EventId == response.TaskId && e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskScheduled);
            var executionId = scheduled?.TaskScheduled.TaskExecutionId ?? "";
            var answer = response.FailureDetails is { } failure
                ? Event(e => e.TaskFailed = new TaskFailedEvent { TaskScheduledId = response.TaskId, FailureDetails = failure, TaskExecutionId = executionId })
                : Event(e => e.TaskCompleted = new TaskCompletedEvent { TaskScheduledId = response.TaskId, Result = response.Result, TaskExecutionId = executionId });
            var sequence = instance.Record.NextInboxSequence;
            var updated = instance.Record with
            {
                NextInboxSequence = sequence + 1,
                Inbox = [.. instance.Record.Inbox, new InboxEntry(sequence, Now, instance.Record.Generation)],
                PendingActivities = instance.Record.PendingActivities.Where(t => t != response.TaskId).ToList(),
            };
            await SaveAsync(instance, updated, [Upsert(WorkflowKeys.Inbox(_appId, instance.Record.InstanceId, sequence), answer.ToByteArray())], cancellationToken);
            instance.Inbox[sequence] = answer;
            instance.Signal();
            WorkflowMetrics.ActivityAnswered(_appId, scheduled?.TaskScheduled.Name ?? "", response.FailureDetails is not null);
            if (instance.ActivitySpans.Remove(response.TaskId, out var span))
            {
                if (response.FailureDetails is { } failed) WorkflowTracing.Fail(span, failed.ErrorMessage);
                span.Dispose();
            }
        }
        finally
        {
            instance.Lock.Release();
        }
        await TryDispatchAsync(instance);
    }

    // ---------------------------------------------------------------- dispatch

    /// <summary>
    /// Sends the instance's next turn when it has visible inbox events and none is out: `[WorkflowStarted{now}]` plus
    /// those events in arrival order, duplicates of completions already in history left out (they are still removed
    /// from the inbox when the turn commits). Future events arm one wake-up.
    /// </summary>
    public async Task TryDispatchAsync(InstanceState instance, DateTimeOffset? wokenFor = null)
    {
        await instance.Lock.WaitAsync();
        try
        {
            // A wake-up that fired is spent, even if the clock says a hair too early: the look below arms a new one.
            if (wokenFor is not null && instance.ArmedFor == wokenFor) instance.ArmedFor = null;
            if (instance.Purged || instance.TurnToken is not null) return;
            var now = Now;
            var visible = instance.Record.Inbox.Where(e => e.VisibleAt <= now).OrderBy(e => e.Sequence).ToList();
            var future = instance.Record.Inbox.Where(e => e.VisibleAt > now).Select(e => e.VisibleAt).DefaultIfEmpty().Min();
            if (future != default && (instance.ArmedFor is not { } armed || armed > future || armed <= now))
            {
                instance.ArmedFor = future;
                var delay = TimeSpan.FromTicks(Math.Min((future - now).Ticks, TimeSpan.FromDays(1).Ticks)); // Task.Delay takes at most ~49 days; a far timer wakes daily and re-arms
                _ = Task.Delay(delay + TimeSpan.FromMilliseconds(2), _time).ContinueWith(_ => TryDispatchAsync(instance, future), TaskScheduler.Default);
            }
            if (visible.Count == 0) return;
            if (!instance.History.Any(IsStart) && visible.Any(v => instance.Inbox[v.Sequence].EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionTerminated))
            {
                // Terminating an instance whose scheduled start is not due: it starts now only to end at once (the
                // worker answers ExecutionStarted + ExecutionTerminated with TERMINATED), rather than never.
                visible = instance.Record.Inbox.Where(e => e.VisibleAt <= now || IsStart(instance.Inbox[e.Sequence])).OrderBy(e => e.Sequence).ToList();
            }

            var events = new List<HistoryEvent> { new() { EventId = -1, Timestamp = Timestamp.FromDateTimeOffset(now), WorkflowStarted = new WorkflowStartedEvent() } };
            var seen = new HashSet<(HistoryEvent.EventTypeOneofCase, int)>(instance.History.Select(CompletionKey).OfType<(HistoryEvent.EventTypeOneofCase, int)>());
            var started = instance.History.Any(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted);
            foreach (var entry in visible)
            {
                var inboxEvent = instance.Inbox[entry.Sequence];
                if (entry.Generation != instance.Record.Generation) continue; // from before a continue-as-new
                if (CompletionKey(inboxEvent) is { } key && !seen.Add(key)) continue; // duplicate answer
                if (inboxEvent.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted) started = true;
                events.Add(inboxEvent.EventTypeCase == HistoryEvent.EventTypeOneofCase.TimerFired ? TimerFiredNow(inboxEvent, now) : inboxEvent);
            }
            if (!started) return; // a scheduled start not due yet: other events wait for it
            if (WorkflowStatus.IsTerminal(instance.Status))
            {
                // Events for a finished instance are dropped (daprd neither errors nor runs a turn).
                var dropped = visible.Select(v => v.Sequence).ToHashSet();
                var updated = instance.Record with { Inbox = instance.Record.Inbox.Where(e => !dropped.Contains(e.Sequence)).ToList() };
                await SaveAsync(instance, updated, dropped.Select(s => (StateOperation)new DeleteOperation(WorkflowKeys.Inbox(_appId, instance.Record.InstanceId, s), null, false)).ToList(), CancellationToken.None);
                foreach (var s in dropped) instance.Inbox.Remove(s);
                return;
            }

            var token = Guid.NewGuid().ToString("N");
            instance.TurnToken = token;
            instance.TurnInbox = visible.Select(v => v.Sequence).ToList();
            instance.TurnEvents = events;
            var request = new WorkflowRequest { InstanceId = instance.Record.InstanceId, ExecutionId = ExecutionIdOf(instance.History.Concat(events)) };
            request.PastEvents.AddRange(instance.History);
            request.NewEvents.AddRange(events);
            var startedBy = instance.History.Concat(events).FirstOrDefault(IsStart)?.ExecutionStarted;
            instance.TurnSpan = WorkflowTracing.StartTurn(startedBy?.ParentTraceContext, _appId, instance.Record.Name, instance.Record.InstanceId);
            Queue.Enqueue(new WorkItem { WorkflowRequest = request, CompletionToken = token });
        }
        finally
        {
            instance.Lock.Release();
        }
    }

    /// <summary>A stream ended with this item unanswered: free the turn (it was never committed) or queue the activity again.</summary>
    private void Redispatch(WorkItem item)
    {
        if (item.RequestCase == WorkItem.RequestOneofCase.ActivityRequest)
        {
            var request = item.ActivityRequest;
            if (Find(request.WorkflowInstance.InstanceId) is { } owner && owner.Record.PendingActivities.Contains(request.TaskId)) Queue.Enqueue(item);
            return;
        }
        if (Find(item.WorkflowRequest.InstanceId) is not { } instance) return;
        _ = Task.Run(async () =>
        {
            await instance.Lock.WaitAsync();
            try
            {
                if (instance.TurnToken == item.CompletionToken)
                {
                    instance.TurnToken = null;
                    WorkflowTracing.Fail(instance.TurnSpan, "the worker's stream ended before it answered; the turn is dispatched again");
                    instance.TurnSpan?.Dispose();
                    instance.TurnSpan = null;
                }
            }
            finally
            {
                instance.Lock.Release();
            }
            await TryDispatchAsync(instance);
        });
    }

    private void EnqueueActivity(InstanceState instance, int taskId)
    {
        var scheduled = instance.History.FirstOrDefault(e => e.EventId == taskId && e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskScheduled)?.TaskScheduled;
        if (scheduled is null) return;
        var span = WorkflowTracing.StartActivity(scheduled.ParentTraceContext, _appId, scheduled.Name, instance.Record.InstanceId, taskId);
        if (span is not null)
        {
            if (instance.ActivitySpans.Remove(taskId, out var earlier)) earlier.Dispose();
            instance.ActivitySpans[taskId] = span;
        }
        var request = new ActivityRequest
        {
            Name = scheduled.Name, Version = scheduled.Version, Input = scheduled.Input, TaskId = taskId, TaskExecutionId = scheduled.TaskExecutionId,
            WorkflowInstance = new WorkflowInstance { InstanceId = instance.Record.InstanceId, ExecutionId = ExecutionIdOf(instance.History) ?? "" },
            // The SDK runs the activity's code under this context: the app's own spans join the workflow's trace.
            ParentTraceContext = WorkflowTracing.Continue(span, scheduled.ParentTraceContext),
        };
        Queue.Enqueue(new WorkItem { ActivityRequest = request, CompletionToken = Guid.NewGuid().ToString("N") });
        WorkflowMetrics.ActivityDispatched(_appId, scheduled.Name);
    }

    // ---------------------------------------------------------------- instance lifecycle

    private async Task CreateAsync(string id, ExecutionStartedEvent started, DateTimeOffset? scheduled, CancellationToken cancellationToken)
    {
        if (Find(id) is { } existing)
        {
            if (!WorkflowStatus.IsTerminal(existing.Status)) throw new WorkflowException(StatusCode.AlreadyExists, $"an active workflow with ID '{id}' already exists");
            await PurgeAsync(id, recursive: false, cancellationToken); // a finished instance of that ID is replaced, as daprd does
        }
        var running = _instances.Values.Count(i => !i.Purged && !WorkflowStatus.IsTerminal(i.Status));
        if (running >= _limits.MaxRunningInstances)
            throw new WorkflowException(StatusCode.ResourceExhausted, $"the dev sidecar runs at most {_limits.MaxRunningInstances} unfinished workflow instances per app (--max-workflow-instances); {running} are running");
        var now = Now;
        var record = new InstanceRecord
        {
            InstanceId = id, Name = started.Name, Input = started.Input, CreatedAt = now, ScheduledStart = scheduled,
            NextInboxSequence = 1, Inbox = [new InboxEntry(0, scheduled ?? now, 0)],
        };
        var startEvent = new HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTimeOffset(now), ExecutionStarted = started };
        // The index first: an ID in the index without metadata is skipped at recovery, while metadata missing from the
        // index would be an instance no restart could find.
        await UpdateIndexAsync(ids => { if (!ids.Contains(id)) ids.Add(id); }, cancellationToken);
        var instance = new InstanceState(record, null, [], new Dictionary<long, HistoryEvent> { [0] = startEvent });
        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (!_instances.TryAdd(id, instance)) throw new WorkflowException(StatusCode.AlreadyExists, $"an active workflow with ID '{id}' already exists");
            try
            {
                await SaveAsync(instance, record, [Upsert(WorkflowKeys.Inbox(_appId, id, 0), startEvent.ToByteArray())], cancellationToken, firstWrite: true);
                WorkflowMetrics.InstanceStarted(_appId, started.Name);
            }
            catch
            {
                _instances.TryRemove(id, out _);
                throw;
            }
        }
        finally
        {
            instance.Lock.Release();
        }
        await TryDispatchAsync(instance);
    }

    private async Task AddInboxAsync(string instanceId, HistoryEvent added, DateTimeOffset visibleAt, CancellationToken cancellationToken, bool refuseWhenFull)
    {
        var instance = Find(instanceId) ?? throw new WorkflowException(StatusCode.NotFound, $"workflow instance '{instanceId}' not found: no such instance exists");
        if (refuseWhenFull)
        {
            var queued = _instances.Values.Sum(i => i.Record.Inbox.Count + i.Record.PendingActivities.Count);
            if (queued >= _limits.MaxQueuedWorkItems)
                throw new WorkflowException(StatusCode.ResourceExhausted, $"the dev sidecar holds at most {_limits.MaxQueuedWorkItems} queued workflow events and activities per app (--max-workflow-work-items); {queued} are queued");
        }
        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (instance.Purged) throw new WorkflowException(StatusCode.NotFound, $"workflow instance '{instanceId}' not found: no such instance exists");
            var sequence = instance.Record.NextInboxSequence;
            var updated = instance.Record with
            {
                NextInboxSequence = sequence + 1,
                Inbox = [.. instance.Record.Inbox, new InboxEntry(sequence, visibleAt, instance.Record.Generation)],
            };
            await SaveAsync(instance, updated, [Upsert(WorkflowKeys.Inbox(_appId, instanceId, sequence), added.ToByteArray())], cancellationToken);
            instance.Inbox[sequence] = added;
            instance.Signal();
        }
        finally
        {
            instance.Lock.Release();
        }
        await TryDispatchAsync(instance);
    }

    private async Task StartChildAsync(string childId, ExecutionStartedEvent started)
    {
        try
        {
            await CreateAsync(childId, started, null, CancellationToken.None);
        }
        catch (WorkflowException e)
        {
            // The parent learns of it as a failed child, rather than waiting forever.
            _log.LogWarning("workflow {Child}: child workflow not started: {Reason}", childId, e.Message);
            var failed = new ChildWorkflowInstanceFailedEvent
            {
                TaskScheduledId = started.ParentInstance.TaskScheduledId,
                FailureDetails = new TaskFailureDetails { ErrorType = "ChildWorkflowNotStarted", ErrorMessage = e.Message },
            };
            await TryAddInboxAsync(started.ParentInstance.WorkflowInstance.InstanceId, Event(ev => ev.ChildWorkflowInstanceFailed = failed));
        }
    }

    private Task NotifyParentAsync(ParentInstanceInfo parent, ExecutionCompletedEvent completed)
    {
        var answer = completed.WorkflowStatus == OrchestrationStatus.Completed
            ? Event(e => e.ChildWorkflowInstanceCompleted = new ChildWorkflowInstanceCompletedEvent { TaskScheduledId = parent.TaskScheduledId, Result = completed.Result })
            : Event(e => e.ChildWorkflowInstanceFailed = new ChildWorkflowInstanceFailedEvent
            {
                TaskScheduledId = parent.TaskScheduledId,
                FailureDetails = completed.FailureDetails ?? new TaskFailureDetails { ErrorType = "WorkflowTerminated", ErrorMessage = $"child workflow ended {completed.WorkflowStatus}" },
            });
        return TryAddInboxAsync(parent.WorkflowInstance.InstanceId, answer);
    }

    private async Task TerminateQuietlyAsync(string instanceId, string? reason, bool recurse)
    {
        if (Find(instanceId) is not { } target || WorkflowStatus.IsTerminal(target.Status)) return;
        var terminated = new ExecutionTerminatedEvent { Recurse = recurse };
        if (reason is not null) terminated.Input = reason;
        await TryAddInboxAsync(instanceId, Event(e => e.ExecutionTerminated = terminated));
    }

    private async Task TryAddInboxAsync(string instanceId, HistoryEvent added)
    {
        try
        {
            await AddInboxAsync(instanceId, added, Now, CancellationToken.None, refuseWhenFull: false);
        }
        catch (WorkflowException e)
        {
            _log.LogWarning("workflow {Instance}: message dropped: {Reason}", instanceId, e.Message);
        }
    }

    // ---------------------------------------------------------------- storage

    /// <summary>One batch: the metadata with the previous ETag (or first-write for a new instance) plus the event keys.</summary>
    private async Task SaveAsync(InstanceState instance, InstanceRecord updated, IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken, bool firstWrite = false)
    {
        var metadataKey = WorkflowKeys.Metadata(_appId, updated.InstanceId);
        var batch = new List<StateOperation>(operations)
        {
            new UpsertOperation(metadataKey, JsonSerializer.SerializeToUtf8Bytes(updated, WorkflowJson.Default.InstanceRecord), instance.ETag, firstWrite, null),
        };
        try
        {
            await _store.ApplyAsync(batch, cancellationToken);
        }
        catch (ETagMismatchException e)
        {
            throw new WorkflowException(StatusCode.Aborted, $"workflow instance '{updated.InstanceId}' was changed concurrently: {e.Message}");
        }
        instance.Record = updated;
        instance.ETag = (await _store.GetAsync(metadataKey, cancellationToken))?.ETag;
    }

    private async Task UpdateIndexAsync(Action<List<string>> change, CancellationToken cancellationToken)
    {
        await _indexLock.WaitAsync(cancellationToken);
        try
        {
            var key = WorkflowKeys.Index(_appId);
            var stored = await _store.GetAsync(key, cancellationToken);
            var ids = stored is null ? [] : JsonSerializer.Deserialize(stored.Value, WorkflowJson.Default.ListString) ?? [];
            change(ids);
            await _store.ApplyAsync([new UpsertOperation(key, JsonSerializer.SerializeToUtf8Bytes(ids, WorkflowJson.Default.ListString), stored?.ETag, stored is null, null)], cancellationToken);
        }
        finally
        {
            _indexLock.Release();
        }
    }

    private static UpsertOperation Upsert(string key, byte[] value) => new(key, value, null, false, null);

    // ---------------------------------------------------------------- telemetry

    /// <summary>Ends the committed turn's span, saying how the instance ended when this turn ended it (as daprd tags its workflow span).</summary>
    private static void EndTurnSpan(InstanceState instance, OrchestrationStatus? endedWith, bool continuedAsNew, IReadOnlyList<HistoryEvent> history)
    {
        if (instance.TurnSpan is not { } span) return;
        instance.TurnSpan = null;
        if (continuedAsNew) span.SetTag("durabletask.runtime_status", "CONTINUED_AS_NEW");
        if (endedWith is { } status)
        {
            span.SetTag("durabletask.runtime_status", status.ToString().ToUpperInvariant());
            if (status == OrchestrationStatus.Failed)
                WorkflowTracing.Fail(span, history.LastOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionCompleted)?.ExecutionCompleted.FailureDetails?.ErrorMessage);
        }
        span.Dispose();
    }

    /// <summary>Activities the instance no longer waits for (it ended or continued as new) will never be answered here: their spans end now.</summary>
    private static void EndActivitySpans(InstanceState instance, string reason)
    {
        foreach (var span in instance.ActivitySpans.Values)
        {
            WorkflowTracing.Fail(span, reason);
            span.Dispose();
        }
        instance.ActivitySpans.Clear();
    }

    /// <summary>The activity a retry timer is for: the task scheduled with the same execution ID (every attempt shares it).</summary>
    private static string ActivityNameOf(IEnumerable<HistoryEvent> history, string taskExecutionId) =>
        history.LastOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskScheduled && e.TaskScheduled.TaskExecutionId == taskExecutionId)?.TaskScheduled.Name ?? "";

    // ---------------------------------------------------------------- helpers

    private HistoryEvent Event(Action<HistoryEvent> set)
    {
        var e = new HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTimeOffset(Now) };
        set(e);
        return e;
    }

    private static bool IsStart(HistoryEvent e) => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted;

    private static HistoryEvent TimerFiredNow(HistoryEvent fired, DateTimeOffset now)
    {
        var copy = fired.Clone();
        copy.Timestamp = Timestamp.FromDateTimeOffset(now);
        return copy;
    }

    private static string? ExecutionIdOf(IEnumerable<HistoryEvent> events) =>
        events.FirstOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted)?.ExecutionStarted.WorkflowInstance?.ExecutionId;

    private static List<string> ChildrenOf(IEnumerable<HistoryEvent> history) =>
        history.Where(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated).Select(e => e.ChildWorkflowInstanceCreated.InstanceId).Distinct().ToList();

    /// <summary>What makes two completions the same one: the kind and the ID of the task, timer or child answered.</summary>
    private static (HistoryEvent.EventTypeOneofCase, int)? CompletionKey(HistoryEvent e) => e.EventTypeCase switch
    {
        HistoryEvent.EventTypeOneofCase.TaskCompleted => (HistoryEvent.EventTypeOneofCase.TaskScheduled, e.TaskCompleted.TaskScheduledId),
        HistoryEvent.EventTypeOneofCase.TaskFailed => (HistoryEvent.EventTypeOneofCase.TaskScheduled, e.TaskFailed.TaskScheduledId),
        HistoryEvent.EventTypeOneofCase.TimerFired => (HistoryEvent.EventTypeOneofCase.TimerFired, e.TimerFired.TimerId),
        HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCompleted => (HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated, e.ChildWorkflowInstanceCompleted.TaskScheduledId),
        HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceFailed => (HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated, e.ChildWorkflowInstanceFailed.TaskScheduledId),
        _ => null,
    };

    private static TimerCreatedEvent TimerCreated(CreateTimerAction timer)
    {
        var created = new TimerCreatedEvent { FireAt = timer.FireAt, Name = timer.Name };
        switch (timer.OriginCase)
        {
            case CreateTimerAction.OriginOneofCase.CreateTimer: created.CreateTimer = timer.CreateTimer; break;
            case CreateTimerAction.OriginOneofCase.ExternalEvent: created.ExternalEvent = timer.ExternalEvent; break;
            case CreateTimerAction.OriginOneofCase.ActivityRetry: created.ActivityRetry = timer.ActivityRetry; break;
            case CreateTimerAction.OriginOneofCase.ChildWorkflowRetry: created.ChildWorkflowRetry = timer.ChildWorkflowRetry; break;
        }
        return created;
    }
}
