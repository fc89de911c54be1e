namespace Veltrix.Sagas;

/// <summary>
/// One shard of the instance index, <c>saga-index:{shard}</c>: every instance (by ID) with its saga, status and when it
/// is due. A hint for the sweeper and for listing: the instance document decides. An entry may be earlier than the
/// document (an extra, harmless look), never later except for the short window documented in docs/sagas.md.
/// </summary>
public sealed record SagaIndexShard(Dictionary<string, SagaIndexEntry> Instances)
{
    public static SagaIndexShard Empty() => new(new Dictionary<string, SagaIndexEntry>(StringComparer.Ordinal));
}

public sealed record SagaIndexEntry(string SagaName, SagaStatus Status, DateTimeOffset? WakeAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
