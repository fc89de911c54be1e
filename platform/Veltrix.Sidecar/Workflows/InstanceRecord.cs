using System.Text.Json.Serialization;

namespace Veltrix.Sidecar.Workflows;

/// <summary>
/// The metadata key of one instance: how many history keys exist, which inbox keys are live (with the time each
/// becomes visible — timers and scheduled starts wait in the inbox), the activities scheduled and not yet answered,
/// and the summary fields GetInstance needs without replaying history. Written with the previous ETag on every change,
/// so a lost race can never interleave two turns.
/// </summary>
internal sealed record InstanceRecord
{
    public required string InstanceId { get; init; }
    public required string Name { get; init; }
    public string? Input { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ScheduledStart { get; init; }
    public int Generation { get; init; }
    public int HistoryLength { get; init; }
    public long NextInboxSequence { get; init; }
    public IReadOnlyList<InboxEntry> Inbox { get; init; } = [];
    public IReadOnlyList<int> PendingActivities { get; init; } = [];
    public string? CustomStatus { get; init; }
}

/// <summary>One inbox key: visible from <see cref="VisibleAt"/>; events of an older generation (before a continue-as-new) are dropped.</summary>
internal sealed record InboxEntry(long Sequence, DateTimeOffset VisibleAt, int Generation);

[JsonSerializable(typeof(InstanceRecord))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class WorkflowJson : JsonSerializerContext;
