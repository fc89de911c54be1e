using System.Text.Json;

namespace Veltrix.Events;

/// <summary>
/// A dead letter kept by its owner: the event as it arrived (id, topic, data), when it was parked, the configuration
/// version it was routed under, why it failed if the sidecar said so, and how often it was replayed.
/// </summary>
public sealed record ParkedDeadLetter(string Type, string EventId, string? Topic, JsonElement Data, DateTimeOffset ParkedAt, string? Configuration = null,
    int? Version = null, string? Cause = null, int Replays = 0, DateTimeOffset? ReplayedAt = null);

/// <summary>The ids of one event type's parked dead letters, oldest first (one document per type, compare-and-swap).</summary>
public sealed record DeadLetterIndex(List<string> EventIds);
