namespace Veltrix.Dapr;

/// <summary>Bulk delivery for the endpoint's topic(s); defaults are daprd's (100 messages / 1000 ms).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true)]
public sealed class BulkSubscribeAttribute : Attribute, IBulkSubscribeMetadata
{
    public BulkSubscribeAttribute(int maxMessagesCount = 100, int maxAwaitDurationMs = 1000)
        : this(null, maxMessagesCount, maxAwaitDurationMs) { }

    /// <summary>The SDK's form, naming the topic.</summary>
    public BulkSubscribeAttribute(string? topicName, int maxMessagesCount = 100, int maxAwaitDurationMs = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessagesCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAwaitDurationMs, 0);
        TopicName = topicName;
        MaxMessagesCount = maxMessagesCount;
        MaxAwaitDurationMs = maxAwaitDurationMs;
    }

    public string? TopicName { get; }
    public int MaxMessagesCount { get; }
    public int MaxAwaitDurationMs { get; }
}
