using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Veltrix.Sagas;

/// <summary>
/// Starts and manages instances: the operations of Dapr's workflow API (start, get, terminate, raise event, pause,
/// resume, purge, list). Every change is a compare-and-swap on the instance document; none needs a running worker.
/// </summary>
public sealed partial class SagaClient
{
    private readonly SagaEngine _engine;
    private readonly ISagaStore _store;
    private readonly SagaRegistry _registry;
    private readonly SagaOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SagaClient> _logger;
    private readonly SagaQueue? _queue;
    private static readonly JsonElement JsonNull = JsonDocument.Parse("null").RootElement.Clone();

    internal SagaClient(SagaEngine engine, ISagaStore store, SagaRegistry registry, SagaOptions options, TimeProvider time, ILogger<SagaClient> logger,
        SagaQueue? queue)
    {
        _engine = engine;
        _store = store;
        _registry = registry;
        _options = options;
        _time = time;
        _logger = logger;
        _queue = queue;
    }

    /// <summary>
    /// Starts <paramref name="sagaName"/> as <paramref name="instanceId"/> (a new GUID when null). Idempotent: the same ID
    /// with the same input returns the existing instance (<c>Created = false</c>). With <paramref name="reuseFinished"/>
    /// a finished instance of that ID is replaced by a new generation; otherwise that is a conflict.
    /// </summary>
    public async Task<SagaStartResponse> StartAsync(string sagaName, string? instanceId, JsonElement input, bool reuseFinished = false,
        CancellationToken cancellationToken = default)
    {
        if (!_registry.TryGet(sagaName, out var definition))
            throw new SagaRequestException(StatusCodes.Status404NotFound, SagaErrorCodes.UnknownSaga,
                $"no saga named '{sagaName}' runs on this app; registered: {string.Join(", ", _registry.Names.Order(StringComparer.Ordinal))}");
        instanceId ??= Guid.NewGuid().ToString("N");
        if (!SagaKeys.IsValidInstanceId(instanceId))
            throw new SagaRequestException(StatusCodes.Status400BadRequest, SagaErrorCodes.InvalidInstanceId,
                $"instance ID '{instanceId}' is not valid: use 1–64 letters, digits, '-' or '_'");
        JsonElement data;
        try
        {
            data = definition.Initialize(input);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new SagaRequestException(StatusCodes.Status400BadRequest, SagaErrorCodes.InvalidInput,
                $"the input does not fit saga '{sagaName}': {e.Message}");
        }
        var now = _time.GetUtcNow();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{sagaName}\n{definition.Version}\n{input.GetRawText()}")));
        var doc = NewDocument(instanceId, definition, hash, input, data, now, generation: 1, epoch: 0);

        // Index first (due now): a crash before the document is written leaves an entry the sweeper drops, never an unindexed instance.
        await _engine.Index.RecordAsync(doc, cancellationToken);
        for (var attempt = 1; attempt <= _options.MaxCasAttempts; attempt++)
        {
            if (await _store.TrySaveAsync(SagaKeys.Document(instanceId), doc, SagaJson.Default.SagaDocument, null, cancellationToken))
            {
                LogStarted(_logger, instanceId, sagaName);
                _queue?.Nudge(instanceId);
                return new SagaStartResponse(instanceId, true);
            }
            var existing = await _engine.LoadAsync(instanceId, cancellationToken);
            if (existing is null) continue; // purged in between: insert again
            var current = existing.Value;
            if (current.StartHash == hash && (!current.IsTerminal || !reuseFinished))
            {
                await _engine.Index.RecordAsync(current, cancellationToken); // the index entry written above may be newer than the instance
                return new SagaStartResponse(instanceId, false);
            }
            if (!current.IsTerminal || !reuseFinished)
            {
                await RecordInIndexAsync(current, cancellationToken); // undo the index entry written above for the refused start
                throw new SagaRequestException(StatusCodes.Status409Conflict, SagaErrorCodes.InstanceExists,
                    current.IsTerminal
                        ? $"instance '{instanceId}' already finished ({current.Status.ToRuntimeStatus()}); purge it or start with another ID"
                        : $"instance '{instanceId}' of saga '{current.SagaName}' is {current.Status.ToRuntimeStatus()} with a different input; use another ID");
            }
            // Reuse: a new generation; the lease epoch carries on so that late results of the old run are discarded.
            var replacement = NewDocument(instanceId, definition, hash, input, data, now, current.Generation + 1, current.Lease?.Epoch ?? 0);
            if (await _store.TrySaveAsync(SagaKeys.Document(instanceId), replacement, SagaJson.Default.SagaDocument, existing.ETag, cancellationToken))
            {
                _queue?.Nudge(instanceId);
                await RecordInIndexAsync(replacement, cancellationToken);
                return new SagaStartResponse(instanceId, true);
            }
        }
        throw Contended(instanceId);
    }

    private static SagaDocument NewDocument(string instanceId, ISagaDefinition definition, string hash, JsonElement input, JsonElement data,
        DateTimeOffset now, long generation, long epoch) => new()
    {
        InstanceId = instanceId,
        SagaName = definition.Name,
        DefinitionVersion = definition.Version,
        Generation = generation,
        StartHash = hash,
        Status = SagaStatus.Pending,
        CreatedAt = now,
        UpdatedAt = now,
        Input = input.Clone(),
        Data = data,
        Steps = definition.Nodes.Select(n => new StepRecord { Name = n.Name }).ToList(),
        WakeAt = now,
        Lease = epoch == 0 ? null : new SagaLease("", now, epoch),
    };

    public async Task<SagaStatusView?> GetAsync(string instanceId, CancellationToken cancellationToken = default) =>
        SagaKeys.IsValidInstanceId(instanceId) && await _engine.LoadAsync(instanceId, cancellationToken) is { } stored
            ? SagaStatusView.From(stored.Value)
            : null;

    /// <summary>
    /// Buffers an event in the instance's inbox (deduplicated by <paramref name="eventId"/>; a new id when null). Works
    /// whether or not the instance waits for it yet, and without a running worker.
    /// </summary>
    public async Task<RaiseEventResult> RaiseEventAsync(string instanceId, string eventName, JsonElement payload, string? eventId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        eventId ??= Guid.NewGuid().ToString("N");
        RaiseEventResult outcome = RaiseEventResult.Accepted;
        await ChangeAsync(instanceId, doc =>
        {
            if (doc.IsTerminal)
            {
                outcome = RaiseEventResult.Ignored;
                return false;
            }
            if (doc.ConsumedEventIds.Contains(eventId, StringComparer.Ordinal) || doc.Inbox.Any(e => e.EventId == eventId))
            {
                outcome = RaiseEventResult.Duplicate;
                return false;
            }
            if (doc.Inbox.Count >= _options.MaxInboxEvents)
                throw new SagaRequestException(StatusCodes.Status429TooManyRequests, SagaErrorCodes.InboxFull,
                    $"instance '{instanceId}' already buffers {doc.Inbox.Count} unconsumed events (SagaOptions.MaxInboxEvents); it consumes them as it reaches its waits");
            doc.Inbox.Add(new SagaEvent(eventId, eventName, payload.ValueKind == JsonValueKind.Undefined ? JsonNull : payload.Clone(), _time.GetUtcNow()));
            outcome = RaiseEventResult.Accepted;
            WakeNow(doc);
            return true;
        }, cancellationToken);
        return outcome;
    }

    /// <summary>Stops the instance now, without compensation; a step that is running finishes and is recorded, not continued.</summary>
    public Task TerminateAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(instanceId, doc =>
        {
            if (doc.IsTerminal) return false;
            doc.Status = SagaStatus.Terminated;
            doc.TerminateReason = string.IsNullOrWhiteSpace(reason) ? "terminated by an operator" : reason;
            doc.WakeAt = null;
            return true;
        }, cancellationToken);

    /// <summary>
    /// Stops forward progress and compensates what the instance has done (a running step finishes and is recorded
    /// first, then compensated too). The instance ends COMPENSATED (or FAILED, with nothing to undo) with cause VX6014.
    /// </summary>
    public Task CancelAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(instanceId, doc =>
        {
            if (doc.IsTerminal) throw NotNow(instanceId, doc, "cancelled");
            if (doc.Compensating || doc.CancelReason is not null) return false; // already undoing
            doc.CancelReason = string.IsNullOrWhiteSpace(reason) ? "cancelled by an operator" : reason;
            if (doc.Status != SagaStatus.Suspended) WakeNow(doc);
            return true;
        }, cancellationToken);

    /// <summary>
    /// For a COMPENSATION_FAILED instance (after the cause was fixed by hand): runs the compensations that gave up
    /// again, with fresh retry budgets, last first.
    /// </summary>
    public Task RetryCompensationAsync(string instanceId, CancellationToken cancellationToken = default) =>
        ChangeAsync(instanceId, doc =>
        {
            if (doc.Status != SagaStatus.CompensationFailed) throw NotNow(instanceId, doc, "retried (only COMPENSATION_FAILED instances are)");
            var last = -1;
            for (var i = 0; i < doc.Steps.Count; i++)
            {
                if (doc.Steps[i].State != StepState.CompensationFailed) continue;
                doc.Steps[i].State = StepState.CompensationRetryScheduled;
                doc.Steps[i].CompensationAttempts = 0;
                doc.Steps[i].CompensationFirstAttemptAt = null;
                last = i;
            }
            doc.Status = SagaStatus.Compensating;
            doc.Cursor = last;
            doc.WakeAt = _time.GetUtcNow();
            return true;
        }, cancellationToken);

    public Task PauseAsync(string instanceId, CancellationToken cancellationToken = default) =>
        ChangeAsync(instanceId, doc =>
        {
            if (doc.Status == SagaStatus.Suspended) return false;
            if (doc.IsTerminal) throw NotNow(instanceId, doc, "paused");
            doc.Status = SagaStatus.Suspended;
            return true;
        }, cancellationToken);

    public Task ResumeAsync(string instanceId, CancellationToken cancellationToken = default) =>
        ChangeAsync(instanceId, doc =>
        {
            if (doc.IsTerminal) throw NotNow(instanceId, doc, "resumed");
            if (doc.Status != SagaStatus.Suspended) return false;
            doc.Status = doc.Compensating ? SagaStatus.Compensating : SagaStatus.Running;
            doc.WakeAt = _time.GetUtcNow();
            return true;
        }, cancellationToken);

    /// <summary>Deletes a finished instance and its index entry; purging a missing instance succeeds (idempotent).</summary>
    public async Task<bool> PurgeAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        ValidateId(instanceId);
        for (var attempt = 1; attempt <= _options.MaxCasAttempts; attempt++)
        {
            var stored = await _engine.LoadAsync(instanceId, cancellationToken);
            if (stored is null)
            {
                await _engine.Index.RemoveAsync(instanceId, cancellationToken);
                return false;
            }
            if (!stored.Value.IsTerminal) throw NotNow(instanceId, stored.Value, "purged (only COMPLETED, COMPENSATED, FAILED, COMPENSATION_FAILED and TERMINATED instances are)");
            if (await _store.TryDeleteAsync(SagaKeys.Document(instanceId), stored.ETag, cancellationToken))
            {
                await _engine.Index.RemoveAsync(instanceId, cancellationToken);
                return true;
            }
        }
        throw Contended(instanceId);
    }

    /// <summary>Instances from the index, filtered by status and saga name, oldest first, a page at a time.</summary>
    public async Task<SagaListPage> ListAsync(IReadOnlyCollection<SagaStatus>? statuses, string? sagaName, int pageSize, string? continuationToken,
        CancellationToken cancellationToken = default)
    {
        if (pageSize is < 1 or > 1000)
            throw new SagaRequestException(StatusCodes.Status400BadRequest, SagaErrorCodes.InvalidQuery, $"pageSize must be 1–1000 (got {pageSize})");
        var offset = 0;
        if (continuationToken is not null && (!int.TryParse(continuationToken, out offset) || offset < 0))
            throw new SagaRequestException(StatusCodes.Status400BadRequest, SagaErrorCodes.InvalidQuery,
                $"continuationToken '{continuationToken}' is not one this API returned; start without it");
        var matching = (await _engine.Index.ReadAllAsync(cancellationToken))
            .Where(e => (statuses is null || statuses.Count == 0 || statuses.Contains(e.Entry.Status))
                        && (sagaName is null || string.Equals(e.Entry.SagaName, sagaName, StringComparison.Ordinal)))
            .OrderBy(e => e.Entry.CreatedAt).ThenBy(e => e.InstanceId, StringComparer.Ordinal)
            .ToList();
        var page = matching.Skip(offset).Take(pageSize)
            .Select(e => new SagaListItem(e.InstanceId, e.Entry.SagaName, e.Entry.Status.ToRuntimeStatus(), e.Entry.CreatedAt, e.Entry.UpdatedAt))
            .ToList();
        var next = offset + page.Count < matching.Count ? (offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new SagaListPage(page, next);
    }

    /// <summary>Read, change, compare-and-swap, until it holds; then the index and a nudge. Not found: <see cref="SagaErrorCodes.InstanceNotFound"/>.</summary>
    private async Task ChangeAsync(string instanceId, Func<SagaDocument, bool> change, CancellationToken cancellationToken)
    {
        ValidateId(instanceId);
        for (var attempt = 1; attempt <= _options.MaxCasAttempts; attempt++)
        {
            var stored = await _engine.LoadAsync(instanceId, cancellationToken)
                ?? throw new SagaRequestException(StatusCodes.Status404NotFound, SagaErrorCodes.InstanceNotFound,
                    $"no saga instance '{instanceId}' (never started, or purged)");
            if (!change(stored.Value)) return;
            if (await _engine.SaveAsync(stored, cancellationToken))
            {
                _queue?.Nudge(instanceId);
                await RecordInIndexAsync(stored.Value, cancellationToken);
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * Math.Min(attempt, 10))), cancellationToken);
        }
        throw Contended(instanceId);
    }

    /// <summary>The document is written: a failed index update only delays the sweeper's view, so it is logged, not thrown.</summary>
    private async Task RecordInIndexAsync(SagaDocument doc, CancellationToken cancellationToken)
    {
        try
        {
            await _engine.Index.RecordAsync(doc, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogIndexFailed(_logger, doc.InstanceId, e.Message);
        }
    }

    private void WakeNow(SagaDocument doc)
    {
        var now = _time.GetUtcNow();
        if (doc.WakeAt is null || doc.WakeAt > now) doc.WakeAt = now;
    }

    private static void ValidateId(string instanceId)
    {
        if (!SagaKeys.IsValidInstanceId(instanceId))
            throw new SagaRequestException(StatusCodes.Status400BadRequest, SagaErrorCodes.InvalidInstanceId,
                $"instance ID '{instanceId}' is not valid: use 1–64 letters, digits, '-' or '_'");
    }

    private static SagaRequestException NotNow(string instanceId, SagaDocument doc, string what) =>
        new(StatusCodes.Status409Conflict, SagaErrorCodes.InvalidState, $"instance '{instanceId}' is {doc.Status.ToRuntimeStatus()} and cannot be {what}");

    private static SagaRequestException Contended(string instanceId) =>
        new(StatusCodes.Status503ServiceUnavailable, ServiceDefaultsOverloaded, $"instance '{instanceId}' kept changing while this request tried to update it; send it again");

    private const string ServiceDefaultsOverloaded = Veltrix.ServiceDefaults.ServiceErrorCodes.Overloaded;

    [LoggerMessage(Level = LogLevel.Warning, Message = "saga {InstanceId}: the index was not updated ({Error}); the next tick updates it")]
    private static partial void LogIndexFailed(ILogger logger, string instanceId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "saga {InstanceId} ({Saga}) started")]
    private static partial void LogStarted(ILogger logger, string instanceId, string saga);
}
