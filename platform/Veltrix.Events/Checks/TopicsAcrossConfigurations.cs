using Veltrix.Events.Model;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Events.Checks;

/// <summary>
/// VX5033 and VX5034 between EventConfiguration files: each file is checked on its own, but their subscriptions all
/// reach the same sidecars, so two event types on one topic of one pub/sub — or a dead-letter topic that is another
/// file's event topic — make daprd keep one subscription and drop the other (pain points C5/C11: "two handlers on
/// the same topic, the second silently ignored").
/// </summary>
internal static class TopicsAcrossConfigurations
{
    public static void Check(IReadOnlyList<EventConfiguration> configurations, DiagnosticSink sink)
    {
        if (configurations.Count < 2) return;
        var first = new Dictionary<(string, string), (EventConfiguration Configuration, EventDefinition Definition)>();
        foreach (var configuration in configurations)
            foreach (var definition in configuration.Events)
            {
                if (!first.TryGetValue((definition.PubSub, definition.Topic), out var earlier))
                    first[(definition.PubSub, definition.Topic)] = (configuration, definition);
                else if (!ReferenceEquals(earlier.Configuration, configuration)) // within one configuration: EventConfigurationChecks
                    sink.Error(EventErrorCodes.TopicSharedByTypes, definition.At("topic")!,
                        $"topic '{definition.Topic}' carries '{definition.Type}' of configuration '{configuration.Name}' and '{earlier.Definition.Type}' of configuration '{earlier.Configuration.Name}'",
                        $"give '{definition.Type}' a topic of its own; both configurations' subscriptions reach the same sidecars, and daprd keeps one subscription per topic and app",
                        earlier.Definition.At("topic"));
            }
        foreach (var configuration in configurations)
            foreach (var definition in configuration.Events.Where(d => d.DeadLetter is not null))
            {
                var dead = definition.DeadLetter!;
                if (!first.TryGetValue((definition.PubSub, dead.Topic), out var other) || ReferenceEquals(other.Configuration, configuration)) continue;
                sink.Error(EventErrorCodes.DeadLetterIsEventTopic, dead.TopicLocation ?? dead.Location ?? definition.At("deadLetter")!,
                    $"dead-letter topic '{dead.Topic}' of '{definition.Type}' is the topic of '{other.Definition.Type}' of configuration '{other.Configuration.Name}': failed events would be delivered as '{other.Definition.Type}'",
                    $"use a topic of its own, e.g. '{definition.Topic}.dead'", other.Definition.At("topic"));
            }
    }
}
