namespace Veltrix.Dapr;

/// <summary>Asks the sidecar to deliver the endpoint's topic(s) in batches (<see cref="AspNetCore.BulkSubscribeMessage{TData}"/>).</summary>
public interface IBulkSubscribeMetadata
{
    /// <summary>The topic this applies to; null: every topic of the endpoint.</summary>
    string? TopicName { get; }

    int MaxMessagesCount { get; }
    int MaxAwaitDurationMs { get; }
}
