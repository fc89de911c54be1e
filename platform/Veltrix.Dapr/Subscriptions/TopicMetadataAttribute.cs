namespace Veltrix.Dapr;

/// <summary>A subscription metadata entry (e.g. <c>[TopicMetadata("queueName", "orders-q")]</c>) for every topic of the endpoint.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true)]
public sealed class TopicMetadataAttribute : Attribute
{
    public TopicMetadataAttribute(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Value = value;
    }

    public string Name { get; }
    public string Value { get; }
}
