using Veltrix.Resources.Diagnostics;

namespace Veltrix.Events.Checks;

/// <summary>
/// VX5031 for declarative Subscriptions: a Subscription loaded by several apps (its scopes, or every app of dapr.yaml
/// when it has none) on a pub/sub whose consumer group is fixed makes those apps compete for each event, so each
/// reaches only one of them — pain point C10, "same group across apps splits messages". The event configuration's
/// own consumers are checked in <see cref="EventConfigurationChecks"/>.
/// </summary>
internal static class SubscriptionSharedConsumerGroup
{
    private static readonly string[] GroupKeys = ["consumerID", "consumerGroup"];

    public static void Check(CheckContext context, DiagnosticSink sink)
    {
        if (context.Components is not { } components) return;
        foreach (var subscription in context.Subscriptions.Where(s => s.Declarative))
        {
            var candidates = subscription.Scopes.Count > 0 ? subscription.Scopes : context.Apps ?? [];
            foreach (var component in components.Where(c => c.Name == subscription.PubSubName && c.BuildingBlock == "pubsub"))
            {
                var group = component.Metadata.FirstOrDefault(m => GroupKeys.Contains(m.Name, StringComparer.OrdinalIgnoreCase) && m.Value.Length > 0);
                if (group is null || group.Value.Contains('{', StringComparison.Ordinal)) continue;
                var apps = candidates.Where(component.AppliesTo).Distinct().ToList();
                if (apps.Count < 2) continue;
                sink.Warning(EventErrorCodes.SharedConsumerGroup, subscription.TopicLocation ?? subscription.Location,
                    $"subscription '{subscription.Name}' subscribes {string.Join(", ", apps)} to '{subscription.Topic}' in one consumer group, '{group.Value}' of component '{component.Name}', so each event reaches only one of them",
                    "remove the fixed consumerID/consumerGroup so each app gets its own (Dapr defaults to the app ID), or use '{appID}'",
                    group.ValueLocation ?? group.Location);
                break;
            }
        }
    }
}
