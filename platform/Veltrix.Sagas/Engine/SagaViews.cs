using System.Text.Json;
using System.Text.Json.Serialization;

namespace Veltrix.Sagas;

/// <summary>What <c>GET /sagas/{instanceID}</c> answers: Dapr's workflow status shape plus the saga's own records.</summary>
public sealed record SagaStatusView(
    [property: JsonPropertyName("instanceID")] string InstanceId,
    string WorkflowName,
    long Generation,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    string RuntimeStatus,
    JsonElement Input,
    JsonElement? Output,
    JsonElement Data,
    string? CustomStatus,
    SagaFailure? Failure,
    string? TerminateReason,
    DateTimeOffset? NextWakeUpAt,
    int PendingEvents,
    IReadOnlyList<StepView> Steps)
{
    internal static SagaStatusView From(SagaDocument doc) => new(doc.InstanceId, doc.SagaName, doc.Generation, doc.CreatedAt, doc.UpdatedAt,
        doc.Status.ToRuntimeStatus(), doc.Input, doc.Output, doc.Data, doc.CustomStatus, doc.Failure, doc.TerminateReason, doc.WakeAt, doc.Inbox.Count,
        doc.Steps.Select(s => new StepView(s.Name, s.State.ToString(), s.Attempts, s.FirstAttemptAt, s.LastAttemptStartedAt, s.DueAt, s.LastError,
            s.CompensationAttempts, s.CompensationLastError)).ToList());
}

public sealed record StepView(string Name, string State, int Attempts, DateTimeOffset? FirstAttemptAt, DateTimeOffset? LastAttemptStartedAt,
    DateTimeOffset? DueAt, string? LastError, int CompensationAttempts, string? CompensationLastError);

public sealed record SagaListItem(
    [property: JsonPropertyName("instanceID")] string InstanceId, string WorkflowName, string RuntimeStatus, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt);

/// <summary>A page of instances; pass <see cref="ContinuationToken"/> back for the next one (null on the last page).</summary>
public sealed record SagaListPage(IReadOnlyList<SagaListItem> Instances, string? ContinuationToken);

public sealed record SagaStartResponse([property: JsonPropertyName("instanceID")] string InstanceId, bool Created);

public enum RaiseEventResult
{
    /// <summary>Buffered in the instance's inbox (consumed by the current or next wait for that name).</summary>
    Accepted,

    /// <summary>An event with that id was already received: nothing changed.</summary>
    Duplicate,

    /// <summary>The instance has finished: the event is discarded.</summary>
    Ignored,
}

public sealed record SagaEventResponse(string Result);
