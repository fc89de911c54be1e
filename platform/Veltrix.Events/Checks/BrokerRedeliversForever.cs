using Veltrix.Events.Model;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Events.Checks;

/// <summary>
/// Pub/sub components that retry a failed delivery on their own, with no end: Kafka with consumeRetryEnabled (true
/// by default) and no backOffMaxRetries (-1, unlimited, by default), and RabbitMQ with requeueInFailure: true. With a
/// dead-letter topic the sidecar parks the event and acknowledges it, so the component never sees the failure;
/// without one the failure goes back to the component, which redelivers the same event for ever — on Kafka it also
/// holds every later event of its partition (pain point C7: "Kafka retries forever without a DLT").
/// </summary>
internal static class BrokerRedeliversForever
{
    public static void Check(IReadOnlyList<EventConfiguration> configurations, CheckContext context, DiagnosticSink sink)
    {
        if (context.Components is not { } components) return;
        foreach (var definition in configurations.SelectMany(c => c.Events).Where(d => d.DeadLetter is null && d.Consumers.Count > 0))
        {
            var apps = definition.Consumers.Select(c => c.App).ToList();
            if (Endless(components, definition.PubSub, apps) is not { } endless) continue;
            sink.Error(EventErrorCodes.BrokerRedeliversForever, definition.At("pubsub")!,
                $"'{definition.Type}' has no dead-letter topic, and pub/sub '{definition.PubSub}' redelivers a failed delivery for ever ({endless.Why}): one event no consumer can handle is retried without end",
                $"add 'deadLetter: {{topic: {definition.Topic}.dead, owner: <app>}}', or {endless.Fix}", endless.At);
        }
        foreach (var subscription in context.Subscriptions.Where(s => s.Declarative && s.DeadLetterTopic is null))
        {
            if (Endless(components, subscription.PubSubName, subscription.Scopes) is not { } endless) continue;
            sink.Error(EventErrorCodes.BrokerRedeliversForever, subscription.TopicLocation ?? subscription.Location,
                $"subscription '{subscription.Name}' on '{subscription.Topic}' has no deadLetterTopic, and pub/sub '{subscription.PubSubName}' redelivers a failed delivery for ever ({endless.Why})",
                $"add 'deadLetterTopic: {subscription.Topic}.dead' with a reader, or {endless.Fix}", endless.At);
        }
    }

    /// <summary>The first component of that name, loaded by one of the apps (none listed: any), that redelivers without end.</summary>
    private static (string Why, string Fix, SourceLocation At)? Endless(IReadOnlyList<ComponentResource> components, string name, IReadOnlyList<string> apps)
    {
        foreach (var component in components.Where(c => c.Name == name && c.BuildingBlock == "pubsub" && (apps.Count == 0 || apps.Any(c.AppliesTo))))
        {
            switch (component.Type)
            {
                case "pubsub.kafka" when !IsFalse(component.Get("consumeRetryEnabled")) && Unlimited(component.Get("backOffMaxRetries")):
                    return ("Kafka's consumeRetryEnabled is on, true by default, and backOffMaxRetries is unlimited, -1 by default",
                        "set 'backOffMaxRetries' on the component (or 'consumeRetryEnabled: \"false\"' and let a resiliency policy retry)",
                        Entry(component, component.Get("backOffMaxRetries") is not null ? "backOffMaxRetries" : "consumeRetryEnabled"));
                case "pubsub.rabbitmq" when string.Equals(component.Get("requeueInFailure"), "true", StringComparison.OrdinalIgnoreCase):
                    return ("RabbitMQ's requeueInFailure: true puts every failed message back on the queue",
                        "set 'requeueInFailure: \"false\"' and let a resiliency policy retry", Entry(component, "requeueInFailure"));
            }
        }
        return null;
    }

    private static bool Unlimited(string? maxRetries) => maxRetries is null || maxRetries.Trim() == "-1";

    private static bool IsFalse(string? value) => string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);

    private static SourceLocation Entry(ComponentResource component, string key) =>
        component.Metadata.FirstOrDefault(m => string.Equals(m.Name, key, StringComparison.OrdinalIgnoreCase)) is { } entry ? entry.ValueLocation ?? entry.Location : component.NameLocation ?? component.Location;
}
