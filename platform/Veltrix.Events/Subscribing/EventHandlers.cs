namespace Veltrix.Events.Subscribing;

/// <summary>The handlers a service has, by event type; which topics and routes they serve comes from the configuration.</summary>
public sealed class EventHandlers
{
    internal Dictionary<string, Delegate> ByType { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Handles <paramref name="type"/> with a minimal-API delegate (take <c>BulkSubscribeMessage&lt;T&gt;</c> for consumers
    /// with bulk delivery, the data type otherwise; answer with <c>TopicResults</c>).
    /// </summary>
    public EventHandlers Handle(string type, Delegate handler)
    {
        if (!ByType.TryAdd(type, handler)) throw new ArgumentException($"event type '{type}' has a handler already", nameof(type));
        return this;
    }
}
