using System.Text.Json;
using System.Text.Json.Serialization;

namespace Veltrix.Sagas;

/// <summary>Where an instance is in its life. Terminal: Completed, Compensated, Failed, CompensationFailed, Terminated.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SagaStatus>))]
public enum SagaStatus
{
    Pending,
    Running,
    Suspended,
    Compensating,
    Completed,
    Compensated,
    Failed,
    CompensationFailed,
    Terminated,
    Stalled,
}

/// <summary>Where one node is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepState>))]
public enum StepState
{
    Pending,
    Running,
    RetryScheduled,
    Waiting,
    Succeeded,
    Failed,
    Compensating,
    CompensationRetryScheduled,
    Compensated,
    CompensationFailed,
}

public static class SagaStatusExtensions
{
    public static bool IsTerminal(this SagaStatus status) =>
        status is SagaStatus.Completed or SagaStatus.Compensated or SagaStatus.Failed or SagaStatus.CompensationFailed or SagaStatus.Terminated;

    /// <summary>Dapr's workflow API spelling: RUNNING, COMPLETED, … plus COMPENSATING, COMPENSATED, COMPENSATION_FAILED.</summary>
    public static string ToRuntimeStatus(this SagaStatus status) => status switch
    {
        SagaStatus.CompensationFailed => "COMPENSATION_FAILED",
        _ => status.ToString().ToUpperInvariant(),
    };

    public static bool TryParseRuntimeStatus(string text, out SagaStatus status)
    {
        foreach (var candidate in Enum.GetValues<SagaStatus>())
            if (string.Equals(candidate.ToRuntimeStatus(), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                status = candidate;
                return true;
            }
        status = default;
        return false;
    }
}

/// <summary>Why an instance failed: the step, the error's type and message, and a VX code.</summary>
public sealed record SagaFailure(string Step, string ErrorType, string Message, string Code, DateTimeOffset At);

/// <summary>Who may run the instance's steps, until when; <see cref="Epoch"/> grows with every claim (a fence for late writers).</summary>
public sealed record SagaLease(string Owner, DateTimeOffset ExpiresAt, long Epoch);

/// <summary>An external event waiting in the instance's inbox.</summary>
public sealed record SagaEvent(string EventId, string Name, JsonElement Payload, DateTimeOffset ReceivedAt);

/// <summary>One node's record: attempts, timing, last error, and the same for its compensation.</summary>
public sealed class StepRecord
{
    public required string Name { get; init; }
    public StepState State { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? FirstAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptStartedAt { get; set; }

    /// <summary>A delay's fire time or a wait's deadline.</summary>
    public DateTimeOffset? DueAt { get; set; }

    public string? LastError { get; set; }
    public int CompensationAttempts { get; set; }
    public DateTimeOffset? CompensationFirstAttemptAt { get; set; }
    public string? CompensationLastError { get; set; }
}

/// <summary>
/// The instance document, <c>saga:{instanceId}</c>: the one source of truth about an instance, written only with
/// ETag compare-and-swap (and created insert-only). Indexes and nudges are hints checked against it.
/// </summary>
public sealed class SagaDocument
{
    public required string InstanceId { get; init; }
    public required string SagaName { get; init; }
    public required string DefinitionVersion { get; init; }
    public long Generation { get; set; } = 1;
    public required string StartHash { get; init; }
    public SagaStatus Status { get; set; }

    /// <summary>True once a step failed for good and compensation began (kept while suspended).</summary>
    public bool Compensating { get; set; }

    /// <summary>The node being run, or (while compensating) the node being compensated; -1 when compensation is done.</summary>
    public int Cursor { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public JsonElement Input { get; init; }
    public JsonElement Data { get; set; }
    public JsonElement? Output { get; set; }
    public string? CustomStatus { get; set; }
    public SagaFailure? Failure { get; set; }
    public string? TerminateReason { get; set; }

    /// <summary>Set by a cancel request: the next round stops going forward and compensates what was done.</summary>
    public string? CancelReason { get; set; }
    public required List<StepRecord> Steps { get; init; }

    /// <summary>When a worker should look at the instance next (retry, timer, wait deadline, lease expiry); null: only on an event.</summary>
    public DateTimeOffset? WakeAt { get; set; }

    public SagaLease? Lease { get; set; }
    public List<SagaEvent> Inbox { get; init; } = [];

    /// <summary>Ids of the last consumed events (bounded), so a redelivered event is not consumed twice.</summary>
    public List<string> ConsumedEventIds { get; init; } = [];

    [JsonIgnore]
    public bool IsTerminal => Status.IsTerminal();
}
