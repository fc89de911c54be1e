using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Veltrix.Sagas;

/// <summary>Places where tests can make the engine "crash" (throw) to prove recovery.</summary>
internal enum SagaHookPoint
{
    AfterClaim,
    AfterExecute,
    AfterRecord,
}

/// <summary>
/// Advances instances. A tick loads the document and performs one transition per round, each written with
/// compare-and-swap: claim (lease, attempt counted, wake-up at lease expiry) → execute the step outside any store call
/// → record (reload; apply only if our lease epoch and attempt are still current). A crash anywhere leaves a document
/// from which any worker continues once the wake-up time or the lease expiry passes.
/// </summary>
internal sealed partial class SagaEngine(ISagaStore store, SagaRegistry registry, SagaOptions options, TimeProvider time,
    IServiceProvider services, SagaMetrics metrics, ILogger<SagaEngine> logger)
{
    private readonly SagaIndex _index = new(store, options);

    internal SagaIndex Index => _index;

    internal string WorkerId => options.WorkerId;

    /// <summary>Test hook: called at the <see cref="SagaHookPoint"/>s with the instance and node; may throw to simulate a crash.</summary>
    internal Func<SagaHookPoint, string, string, Task>? Hook { get; set; }

    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Advances one instance as far as it can go now; store errors propagate (the sweeper comes back).</summary>
    public async Task TickAsync(string instanceId, CancellationToken cancellationToken)
    {
        Stored<SagaDocument>? stored = null;
        for (var round = 0; round < options.MaxNodesPerTick; round++)
        {
            stored = await LoadAsync(instanceId, cancellationToken);
            if (stored is null || !await RoundAsync(stored, cancellationToken)) break;
        }
        stored = await LoadAsync(instanceId, cancellationToken);
        if (stored is not null) await _index.RecordAsync(stored.Value, cancellationToken);
    }

    /// <summary>Ticks every instance the index shows as due, one after the other (the test driver; the worker runs them concurrently).</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken = default)
    {
        var due = await DueAsync(cancellationToken);
        foreach (var id in due) await TickAsync(id, cancellationToken);
        return due.Count;
    }

    public async Task<IReadOnlyList<string>> DueAsync(CancellationToken cancellationToken)
    {
        var entries = await _index.ReadAllAsync(cancellationToken);
        metrics.Snapshot(entries.Select(e => e.Entry));
        var now = Now;
        return entries.Where(e => !e.Entry.Status.IsTerminal() && e.Entry.Status != SagaStatus.Suspended && e.Entry.WakeAt is { } wake && wake <= now)
            .OrderBy(e => e.Entry.WakeAt).Select(e => e.InstanceId).ToList();
    }

    internal async Task<Stored<SagaDocument>?> LoadAsync(string instanceId, CancellationToken cancellationToken) =>
        await store.GetAsync(SagaKeys.Document(instanceId), SagaJson.Default.SagaDocument, cancellationToken);

    internal async Task<bool> SaveAsync(Stored<SagaDocument> stored, CancellationToken cancellationToken)
    {
        stored.Value.UpdatedAt = Now;
        return await store.TrySaveAsync(SagaKeys.Document(stored.Value.InstanceId), stored.Value, SagaJson.Default.SagaDocument, stored.ETag, cancellationToken);
    }

    /// <summary>One transition; true when the instance may be able to go further right away.</summary>
    private async Task<bool> RoundAsync(Stored<SagaDocument> stored, CancellationToken cancellationToken)
    {
        var doc = stored.Value;
        var now = Now;
        if (doc.IsTerminal || doc.Status == SagaStatus.Suspended) return false;
        if (doc.Lease is { } lease && lease.Owner != options.WorkerId && lease.ExpiresAt > now) return false; // another worker is on it
        if (!registry.TryGet(doc.SagaName, out var definition) || definition.Version != doc.DefinitionVersion)
        {
            if (doc.Status == SagaStatus.Stalled && doc.WakeAt > now) return false;
            doc.Status = SagaStatus.Stalled;
            doc.CustomStatus = definition is null
                ? $"{SagaErrorCodes.DefinitionMismatch}: saga '{doc.SagaName}' is not registered on worker {options.WorkerId}"
                : $"{SagaErrorCodes.DefinitionMismatch}: saga '{doc.SagaName}' is registered with steps version {definition.Version}, the instance started under {doc.DefinitionVersion}";
            doc.WakeAt = now + TimeSpan.FromMinutes(1);
            Release(doc, now);
            if (await SaveAsync(stored, cancellationToken)) LogStalled(logger, doc.InstanceId, doc.CustomStatus);
            return false;
        }
        if (doc.Status == SagaStatus.Stalled)
        {
            // Its definition is back: continue where it stopped.
            doc.Status = doc.Compensating ? SagaStatus.Compensating : SagaStatus.Running;
            doc.CustomStatus = null;
            doc.WakeAt = now;
            await SaveAsync(stored, cancellationToken);
            return true;
        }
        if (doc.CancelReason is { } reason && !doc.Compensating)
        {
            // Cancelled between nodes (a running step was recorded first: its lease kept us out until then). The node at
            // the cursor has not succeeded, so compensation starts with the one before it.
            doc.Failure = new SagaFailure(doc.Cursor < definition.Nodes.Count ? definition.Nodes[doc.Cursor].Name : "", "Cancelled", reason, SagaErrorCodes.Cancelled, now);
            doc.Compensating = true;
            doc.Status = SagaStatus.Compensating;
            doc.Cursor--;
            doc.WakeAt = now;
            await SaveAsync(stored, cancellationToken);
            return true;
        }
        if (doc.Compensating) return await CompensationRoundAsync(stored, definition, now, cancellationToken);
        if (doc.Cursor >= definition.Nodes.Count) return await CompleteAsync(stored, definition, cancellationToken);
        var node = definition.Nodes[doc.Cursor];
        return node.Kind switch
        {
            NodeKind.Step => await StepRoundAsync(stored, definition, node, compensation: false, now, cancellationToken),
            NodeKind.Delay => await DelayRoundAsync(stored, node, now, cancellationToken),
            _ => await WaitRoundAsync(stored, definition, node, now, cancellationToken),
        };
    }

    private async Task<bool> CompleteAsync(Stored<SagaDocument> stored, ISagaDefinition definition, CancellationToken cancellationToken)
    {
        var doc = stored.Value;
        doc.Status = SagaStatus.Completed;
        doc.Output = definition.Output(doc.Data);
        doc.WakeAt = null;
        Release(doc, Now);
        if (await SaveAsync(stored, cancellationToken)) Finished(doc);
        return false;
    }

    private async Task<bool> DelayRoundAsync(Stored<SagaDocument> stored, SagaNode node, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var doc = stored.Value;
        var record = doc.Steps[doc.Cursor];
        if (StartTimerOrIdle(doc, record, node, now, arrived: false)) return false;
        doc.Status = SagaStatus.Running;
        var fired = record.DueAt <= now;
        if (fired)
        {
            record.State = StepState.Succeeded;
            doc.Cursor++;
            doc.WakeAt = now;
        }
        else
        {
            doc.WakeAt = record.DueAt;
            Release(doc, now);
        }
        return await SaveAsync(stored, cancellationToken) ? fired : true;
    }

    private async Task<bool> WaitRoundAsync(Stored<SagaDocument> stored, ISagaDefinition definition, SagaNode node, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var doc = stored.Value;
        var record = doc.Steps[doc.Cursor];
        // FIFO per name: the oldest buffered event of that name, raised before or during the wait.
        var evt = doc.Inbox.FirstOrDefault(e => string.Equals(e.Name, node.EventName, StringComparison.OrdinalIgnoreCase));
        if (StartTimerOrIdle(doc, record, node, now, arrived: evt is not null)) return false;
        doc.Status = SagaStatus.Running;
        var progressed = true;
        if (evt is not null)
        {
            doc.Inbox.Remove(evt);
            RememberConsumed(doc, evt.EventId);
            try
            {
                var result = node.ApplyEvent!(Invocation(doc, node, record.Attempts, compensation: false, now, services), evt.Payload);
                Succeed(doc, record, result, now);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                record.LastError = Describe(e);
                FailForGood(doc, definition, node, record, e, now);
            }
        }
        else if (record.DueAt <= now)
        {
            var timeout = new NonRetryableStepException($"event '{node.EventName}' did not arrive within {node.Duration}", SagaErrorCodes.EventTimedOut);
            record.LastError = Describe(timeout);
            FailForGood(doc, definition, node, record, timeout, now);
        }
        else
        {
            doc.WakeAt = record.DueAt;
            Release(doc, now);
            progressed = false;
        }
        return await SaveAsync(stored, cancellationToken) ? progressed : true;
    }

    /// <summary>
    /// Starts a delay's or a wait's timer on the first visit. True when the timer already runs, is not due, nothing
    /// arrived and the document already says so: nothing to write.
    /// </summary>
    private static bool StartTimerOrIdle(SagaDocument doc, StepRecord record, SagaNode node, DateTimeOffset now, bool arrived)
    {
        if (record.State != StepState.Pending) return !arrived && record.DueAt > now && doc.WakeAt == record.DueAt && IsReleased(doc);
        record.State = StepState.Waiting;
        record.Attempts = 1;
        record.FirstAttemptAt = now;
        record.DueAt = now + node.Duration;
        return false;
    }

    private async Task<bool> CompensationRoundAsync(Stored<SagaDocument> stored, ISagaDefinition definition, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var doc = stored.Value;
        while (doc.Cursor >= 0 && !NeedsCompensation(definition.Nodes[doc.Cursor], doc.Steps[doc.Cursor])) doc.Cursor--;
        if (doc.Cursor >= 0)
            return await StepRoundAsync(stored, definition, definition.Nodes[doc.Cursor], compensation: true, now, cancellationToken);

        doc.Status = doc.Steps.Any(s => s.State == StepState.CompensationFailed) ? SagaStatus.CompensationFailed
            : doc.Steps.Any(s => s.State == StepState.Compensated) ? SagaStatus.Compensated
            : SagaStatus.Failed;
        doc.WakeAt = null;
        Release(doc, now);
        if (await SaveAsync(stored, cancellationToken)) Finished(doc);
        return false;
    }

    private static bool NeedsCompensation(SagaNode node, StepRecord record) =>
        node.HasCompensation && (record.State is StepState.Succeeded or StepState.Compensating or StepState.CompensationRetryScheduled
            || (record.State == StepState.Failed && node.Options.CompensateIfFailed));

    /// <summary>Claim → execute → record, for a step or (with <paramref name="compensation"/>) its compensation.</summary>
    private async Task<bool> StepRoundAsync(Stored<SagaDocument> stored, ISagaDefinition definition, SagaNode node, bool compensation, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var doc = stored.Value;
        var cursor = doc.Cursor;
        var record = doc.Steps[cursor];
        var running = compensation ? StepState.Compensating : StepState.Running;
        var retrying = compensation ? StepState.CompensationRetryScheduled : StepState.RetryScheduled;
        var kind = compensation ? "compensate" : "execute";

        if (record.State == running)
        {
            // The lease of the worker that started this attempt expired (or it was this process before a restart): the
            // attempt's outcome is unknown. It counts as failed, so a step that kills its worker every time runs out of attempts.
            var lost = new AttemptLostException($"the worker running attempt {(compensation ? record.CompensationAttempts : record.Attempts)} of '{node.Name}' stopped before recording its outcome");
            RecordFailure(doc, definition, node, record, lost, compensation, now);
            await SaveAsync(stored, cancellationToken);
            return true;
        }
        if (record.State == retrying && doc.WakeAt > now) return false;

        // Claim (CAS #1).
        var epoch = (doc.Lease?.Epoch ?? 0) + 1;
        var timeout = node.Options.EffectiveTimeout;
        var leaseFor = timeout + options.LeaseGrace > options.LeaseDuration ? timeout + options.LeaseGrace : options.LeaseDuration;
        doc.Lease = new SagaLease(options.WorkerId, now + leaseFor, epoch);
        doc.WakeAt = doc.Lease.ExpiresAt;
        doc.Status = compensation ? SagaStatus.Compensating : SagaStatus.Running;
        record.State = running;
        int attempt;
        if (compensation)
        {
            attempt = ++record.CompensationAttempts;
            record.CompensationFirstAttemptAt ??= now;
        }
        else
        {
            attempt = ++record.Attempts;
            record.FirstAttemptAt ??= now;
        }
        record.LastAttemptStartedAt = now;
        if (!await SaveAsync(stored, cancellationToken)) return true; // lost a race: look again
        metrics.Attempt(doc.SagaName, node.Name, kind);
        await InvokeHookAsync(SagaHookPoint.AfterClaim, doc.InstanceId, node.Name);

        // Execute, outside any store call.
        NodeResult? result = null;
        Exception? error = null;
        var started = time.GetTimestamp();
        await using (var scope = services.CreateAsyncScope())
        using (var attemptTimeout = new CancellationTokenSource(timeout, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token))
        {
            try
            {
                var action = compensation ? node.Compensate! : node.Execute!;
                result = await action(Invocation(doc, node, attempt, compensation, now, scope.ServiceProvider), linked.Token);
            }
            catch (OperationCanceledException) when (attemptTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                error = new StepTimeoutException($"attempt {attempt} of '{node.Name}' ran longer than its timeout of {timeout}");
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                error = e;
            }
        }
        metrics.StepTime(doc.SagaName, node.Name, time.GetElapsedTime(started));
        if (error is not null) LogAttemptFailed(logger, doc.InstanceId, node.Name, kind, attempt, error.Message);
        await InvokeHookAsync(SagaHookPoint.AfterExecute, doc.InstanceId, node.Name);

        // Record (CAS #2): only while our claim is still the current one.
        for (var cas = 1; cas <= options.MaxCasAttempts; cas++)
        {
            var current = await LoadAsync(doc.InstanceId, cancellationToken);
            if (current is null) return false; // purged meanwhile
            var latest = current.Value;
            var latestRecord = latest.Steps[cursor];
            var stillOurs = latest.Lease is { } lease && lease.Owner == options.WorkerId && lease.Epoch == epoch
                && latest.Cursor == cursor && latest.Compensating == compensation && latestRecord.State == running
                && (compensation ? latestRecord.CompensationAttempts : latestRecord.Attempts) == attempt;
            if (!stillOurs)
            {
                LogDiscarded(logger, doc.InstanceId, node.Name, attempt);
                return false;
            }
            var recordedAt = Now;
            if (error is null)
            {
                if (compensation)
                {
                    latestRecord.State = StepState.Compensated;
                    latestRecord.CompensationLastError = null;
                    latest.Data = result!.Data;
                    latest.CustomStatus = result.CustomStatus;
                    latest.Cursor--;
                    latest.WakeAt = recordedAt;
                    metrics.Compensation(latest.SagaName, node.Name, "compensated");
                }
                else
                {
                    Succeed(latest, latestRecord, result!, recordedAt);
                }
            }
            else
            {
                RecordFailure(latest, definition, node, latestRecord, error, compensation, recordedAt);
            }
            // Released on every record: the next claim (by this worker, in the same tick, or any other) takes a new epoch.
            Release(latest, recordedAt);
            if (latest.IsTerminal) latest.WakeAt = null; // recorded, not continued
            if (await SaveAsync(current, cancellationToken))
            {
                await InvokeHookAsync(SagaHookPoint.AfterRecord, doc.InstanceId, node.Name);
                return !latest.IsTerminal && latest.Status != SagaStatus.Suspended;
            }
        }
        return false;
    }

    /// <summary>Gives the lease up but keeps its epoch, so epochs only grow.</summary>
    private static void Release(SagaDocument doc, DateTimeOffset now)
    {
        if (doc.Lease is { } lease) doc.Lease = lease with { Owner = "", ExpiresAt = now };
    }

    private static bool IsReleased(SagaDocument doc) => doc.Lease is null || doc.Lease.Owner.Length == 0;

    private void Succeed(SagaDocument doc, StepRecord record, NodeResult result, DateTimeOffset now)
    {
        record.State = StepState.Succeeded;
        record.LastError = null;
        doc.Data = result.Data;
        doc.CustomStatus = result.CustomStatus;
        if (doc.IsTerminal) return; // terminated while the step ran: recorded, not continued
        doc.Cursor++;
        doc.WakeAt = now;
    }

    private void RecordFailure(SagaDocument doc, ISagaDefinition definition, SagaNode node, StepRecord record, Exception error, bool compensation, DateTimeOffset now)
    {
        var policy = compensation ? node.Options.EffectiveCompensationRetry : node.Options.EffectiveRetry;
        var failures = compensation ? record.CompensationAttempts : record.Attempts;
        var first = (compensation ? record.CompensationFirstAttemptAt : record.FirstAttemptAt) ?? now;
        if (compensation) record.CompensationLastError = Describe(error);
        else record.LastError = Describe(error);
        var delay = doc.IsTerminal ? null : policy.NextDelay(failures, first, now, error);
        if (delay is { } wait)
        {
            record.State = compensation ? StepState.CompensationRetryScheduled : StepState.RetryScheduled;
            doc.WakeAt = now + wait;
            Release(doc, now);
            metrics.Retry(doc.SagaName, node.Name, compensation ? "compensate" : "execute");
            return;
        }
        if (compensation)
        {
            record.State = StepState.CompensationFailed;
            metrics.Compensation(doc.SagaName, node.Name, "failed");
            LogCompensationFailed(logger, doc.InstanceId, node.Name, failures, error.Message);
            doc.Cursor--; // continue with the earlier steps: each compensation is independent
            doc.WakeAt = now;
            return;
        }
        FailForGood(doc, definition, node, record, error, now);
    }

    /// <summary>The node failed for good: keep the cause and walk back over the completed steps.</summary>
    private static void FailForGood(SagaDocument doc, ISagaDefinition definition, SagaNode node, StepRecord record, Exception error, DateTimeOffset now)
    {
        record.State = StepState.Failed;
        if (doc.IsTerminal) return;
        doc.Failure = new SagaFailure(node.Name, error.GetType().Name, error.Message, CodeOf(error), now);
        doc.Compensating = true;
        if (doc.Status != SagaStatus.Suspended) doc.Status = SagaStatus.Compensating;
        var index = definition.Nodes.ToList().IndexOf(node);
        doc.Cursor = node.HasCompensation && node.Options.CompensateIfFailed ? index : index - 1;
        doc.WakeAt = now;
    }

    private static string CodeOf(Exception error) => error switch
    {
        NonRetryableStepException { Code: { } code } => code,
        StepTimeoutException => SagaErrorCodes.StepTimedOut,
        AttemptLostException => SagaErrorCodes.AttemptLost,
        _ => SagaErrorCodes.StepFailed,
    };

    private static string Describe(Exception error) => $"{CodeOf(error)} {error.GetType().Name}: {error.Message}";

    private void RememberConsumed(SagaDocument doc, string eventId)
    {
        doc.ConsumedEventIds.Add(eventId);
        if (doc.ConsumedEventIds.Count > options.MaxConsumedEventIds) doc.ConsumedEventIds.RemoveRange(0, doc.ConsumedEventIds.Count - options.MaxConsumedEventIds);
    }

    private static NodeInvocation Invocation(SagaDocument doc, SagaNode node, int attempt, bool compensation, DateTimeOffset now, IServiceProvider provider) =>
        new(doc.InstanceId, doc.SagaName, node.Name, attempt, SagaKeys.IdempotencyKey(doc, node.Name, compensation), doc.Data.Clone(), now, provider, doc.CustomStatus);

    private void Finished(SagaDocument doc)
    {
        metrics.Finished(doc.SagaName, doc.Status);
        LogFinished(logger, doc.InstanceId, doc.SagaName, doc.Status.ToRuntimeStatus(), doc.Failure?.Message);
    }

    private Task InvokeHookAsync(SagaHookPoint point, string instanceId, string node) => Hook?.Invoke(point, instanceId, node) ?? Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "saga {InstanceId} ({Saga}) finished {Status}{Cause}")]
    private static partial void LogFinished(ILogger logger, string instanceId, string saga, string status, string? cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "saga {InstanceId}: {Kind} attempt {Attempt} of '{Step}' failed: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string instanceId, string step, string kind, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "saga {InstanceId}: the result of attempt {Attempt} of '{Step}' is discarded: another worker took the instance over")]
    private static partial void LogDiscarded(ILogger logger, string instanceId, string step, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "saga {InstanceId}: compensation of '{Step}' failed for good after {Attempts} attempts ({Error}); it needs a person")]
    private static partial void LogCompensationFailed(ILogger logger, string instanceId, string step, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "saga {InstanceId} is STALLED: {Reason}")]
    private static partial void LogStalled(ILogger logger, string instanceId, string? reason);
}

/// <summary>The attempt's worker stopped before recording its outcome (its lease expired).</summary>
internal sealed class AttemptLostException(string message) : Exception(message);
