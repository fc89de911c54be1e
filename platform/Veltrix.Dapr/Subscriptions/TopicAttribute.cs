namespace Veltrix.Dapr;

/// <summary>
/// Marks a minimal-API handler (or controller action) as the route for a topic, as in the Dapr SDK:
/// <c>app.MapPost("/orders", [Topic("pubsub", "orders")] (Order order) =&gt; …)</c>.
/// Apply it several times to subscribe one endpoint to several topics.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true)]
public sealed class TopicAttribute : Attribute, ITopicMetadata
{
    public TopicAttribute(string pubsubName, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(pubsubName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        PubsubName = pubsubName;
        Name = name;
    }

    public TopicAttribute(string pubsubName, string name, bool enableRawPayload) : this(pubsubName, name) => EnableRawPayload = enableRawPayload;

    public TopicAttribute(string pubsubName, string name, string match, int priority) : this(pubsubName, name)
    {
        Match = match;
        Priority = priority;
    }

    public TopicAttribute(string pubsubName, string name, string deadLetterTopic, bool enableRawPayload) : this(pubsubName, name)
    {
        DeadLetterTopic = deadLetterTopic;
        EnableRawPayload = enableRawPayload;
    }

    public string PubsubName { get; }
    public string Name { get; }
    // `new`: Attribute has a Match(object) method; the SDK names the CEL rule Match too.
    public new string? Match { get; set; }
    public int Priority { get; set; }
    public string? DeadLetterTopic { get; set; }
    public bool EnableRawPayload { get; set; }

    /// <summary>Attributes cannot hold dictionaries: add <see cref="TopicMetadataAttribute"/> entries instead.</summary>
    IReadOnlyDictionary<string, string>? ITopicMetadata.Metadata => null;
}
