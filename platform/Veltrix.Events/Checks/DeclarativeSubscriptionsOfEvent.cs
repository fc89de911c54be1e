using Veltrix.Events.Model;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Subscriptions;

namespace Veltrix.Events.Checks;

/// <summary>
/// Declarative Subscriptions — in the resources folder or among the manifests of deploy/ — on the topic of an event
/// type: they must read it the way it is published (CloudEvents or raw, VX5030: pain point C9), and must not
/// subscribe one of its consumers again, because daprd keeps only one subscription per topic and app (VX5035: C5).
/// </summary>
public static class DeclarativeSubscriptionsOfEvent
{
    public static void Check(EventDefinition definition, IEnumerable<SubscriptionResource> subscriptions, DiagnosticSink sink)
    {
        foreach (var subscription in subscriptions.Where(s => s.PubSubName == definition.PubSub && s.Topic == definition.Topic))
        {
            if (subscription.RawPayload != definition.RawPayload)
                sink.Error(EventErrorCodes.RawPayloadMismatch, subscription.RawPayloadLocation ?? subscription.TopicLocation ?? subscription.Location,
                    $"subscription '{subscription.Name}' reads '{definition.Topic}' with rawPayload {(subscription.RawPayload ? "true" : "false")}, but '{definition.Type}' is published {(definition.RawPayload ? "raw" : "as CloudEvents")}",
                    definition.RawPayload ? "set metadata rawPayload: \"true\" on the subscription" : "remove rawPayload from the subscription, or set 'rawPayload: true' on the event type",
                    definition.KeyLocations.ContainsKey("rawPayload") ? definition.At("rawPayload") : definition.At("topic"));
            foreach (var consumer in definition.Consumers.Where(c => subscription.AppliesTo(c.App)))
                sink.Warning(EventErrorCodes.DuplicateSubscription, subscription.TopicLocation ?? subscription.Location,
                    $"subscription '{subscription.Name}' subscribes '{consumer.App}' to '{definition.Topic}', which the event configuration already subscribes it to; daprd keeps only one of the two",
                    "delete the Subscription resource: consumers' subscriptions are generated from the event configuration", consumer.AppLocation ?? consumer.Location);
        }
    }
}
