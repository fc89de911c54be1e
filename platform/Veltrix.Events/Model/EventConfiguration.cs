using Veltrix.Resources.Diagnostics;

namespace Veltrix.Events.Model;

/// <summary>
/// An `EventConfiguration` resource (events/*.yaml): every event type of a system with its route, schema, producers
/// and consumers. Locations point into the YAML it was read from (null for configurations built in code).
/// </summary>
public sealed record EventConfiguration(string Name, IReadOnlyList<EventDefinition> Events)
{
    public const string ApiVersion = "veltrix.io/v1alpha1";
    public const string Kind = "EventConfiguration";

    public SourceLocation? Location { get; init; }

    /// <summary>Where metadata.name is written (a duplicate name is reported there).</summary>
    public SourceLocation? NameLocation { get; init; }

    public EventDefinition? Find(string type) => Events.FirstOrDefault(e => e.Type == type);
}

/// <summary>Priority class of an event type's deliveries: a flood of bulk events never takes critical ones' slots.</summary>
public enum Lane
{
    Critical,
    Standard,
    Bulk,
}

/// <summary>One event type: what its data looks like, where it travels, who sends and who receives it.</summary>
public sealed record EventDefinition(
    string Type,
    IReadOnlyList<FieldSchema> Schema,
    string PubSub,
    string Topic,
    IReadOnlyList<string> Producers,
    IReadOnlyList<EventConsumer> Consumers,
    Lane Lane = Lane.Standard,
    string? OrderingKey = null,
    TimeSpan? Ttl = null,
    string? Retry = null,
    DeadLetterSpec? DeadLetter = null,
    bool RawPayload = false)
{
    public SourceLocation? Location { get; init; }

    /// <summary>Where each key's value was written (key → location), so a diagnostic points at the value at fault.</summary>
    public IReadOnlyDictionary<string, SourceLocation> KeyLocations { get; init; } = new Dictionary<string, SourceLocation>();

    public SourceLocation? At(string key) => KeyLocations.TryGetValue(key, out var at) ? at : Location;
}

/// <summary>A field of an event's data. Short form in YAML (`huntId: string`) means required.</summary>
public sealed record FieldSchema(string Name, FieldType Type, bool Required = true)
{
    public SourceLocation? Location { get; init; }
}

public enum FieldType
{
    String,
    Integer,
    Number,
    Boolean,
    Timestamp,
    Object,
    Array,
}

/// <summary>Bulk delivery of a consumer: up to <see cref="MaxMessages"/> events per request, waiting at most <see cref="MaxAwaitMs"/>.</summary>
public sealed record BulkDelivery(int MaxMessages = 100, int MaxAwaitMs = 1000);

/// <summary>A consumer app of an event type: the app path deliveries go to, bulk settings and how many it handles at once.</summary>
public sealed record EventConsumer(string App, string Route, BulkDelivery? Bulk = null, int? MaxConcurrency = null)
{
    public SourceLocation? Location { get; init; }

    /// <summary>Where the app ID was written: what a diagnostic about the consumer's app points at.</summary>
    public SourceLocation? AppLocation { get; init; }
}

/// <summary>Where deliveries that fail for good go, and which app owns (reads, parks, replays) them.</summary>
public sealed record DeadLetterSpec(string Topic, string Owner)
{
    public SourceLocation? Location { get; init; }

    /// <summary>Where the dead-letter topic and the owner were written.</summary>
    public SourceLocation? TopicLocation { get; init; }

    public SourceLocation? OwnerLocation { get; init; }
}
