using Veltrix.Events.Model;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Subscriptions;

namespace Veltrix.Events.Checks;

/// <summary>
/// A dead-letter topic of a declarative Subscription — in the resources folder or among the manifests of deploy/ —
/// must be read by someone: another subscription on it, an event type on it, or the dead-letter owner of an event type
/// that parks them. Otherwise failed events land where nobody looks (pain point C8: "DLT declared but nobody
/// subscribes"). An event type's own dead letters always have a reader: `deadLetter.owner` is required (VX5001) and
/// must be an app (VX5026) that loads the pub/sub (VX5022).
/// </summary>
public static class UnreadDeadLetterTopics
{
    /// <param name="events">Every event type of the project.</param>
    /// <param name="subscriptions">The declarative Subscriptions that run together (each one's reader may be another).</param>
    public static void Check(IEnumerable<EventDefinition> events, IReadOnlyList<SubscriptionResource> subscriptions, DiagnosticSink sink)
    {
        var definitions = events.ToList();
        foreach (var subscription in subscriptions.Where(s => s.Declarative && s.DeadLetterTopic is not null))
        {
            var topic = subscription.DeadLetterTopic!;
            var read = subscriptions.Any(s => s.PubSubName == subscription.PubSubName && s.Topic == topic)
                       || definitions.Any(e => e.PubSub == subscription.PubSubName && (e.Topic == topic && e.Consumers.Count > 0 || e.DeadLetter?.Topic == topic));
            if (read) continue;
            sink.Error(EventErrorCodes.DeadLetterTopicUnread, subscription.DeadLetterLocation ?? subscription.Location,
                $"dead-letter topic '{topic}' of subscription '{subscription.Name}' has no reader and no owner: events that fail there are kept where nobody looks (or dropped by the broker)",
                $"subscribe an app to '{topic}' (a Subscription, or an event type's 'deadLetter: {{topic: {topic}, owner: <app>}}' so the owner parks and replays them)");
        }
    }
}
