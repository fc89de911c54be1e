using Veltrix.Resources.Diagnostics;

namespace Veltrix.Events.Checks;

/// <summary>
/// VX5022 for declarative Subscriptions: a Subscription scoped to an app whose sidecar does not load its pub/sub (the
/// component's `scopes:` leave the app out). VX1009 finds a pub/sub name no component defines; this one checks the name
/// per app, as daprd resolves it — the app gets "cannot subscribe to topics on pubsub … was a component for it
/// created?" at start-up, or no subscription at all (pain points C1 and C2).
/// </summary>
internal static class SubscriptionPubSubScopedAway
{
    public static void Check(CheckContext context, DiagnosticSink sink)
    {
        if (context.Components is not { } components) return;
        foreach (var subscription in context.Subscriptions.Where(s => s.Declarative && s.Scopes.Count > 0))
        {
            var named = components.Where(c => c.Name == subscription.PubSubName && c.BuildingBlock == "pubsub").ToList();
            if (named.Count == 0) continue; // VX1009
            var away = subscription.Scopes.Where(app => !named.Any(c => c.AppliesTo(app))).ToList();
            if (away.Count == 0) continue;
            var scoped = named[0];
            sink.Error(EventErrorCodes.ComponentScopedAway, subscription.PubSubLocation ?? subscription.Location,
                $"subscription '{subscription.Name}' is for {string.Join(", ", away)}, but pub/sub '{scoped.Name}' is scoped away from {(away.Count == 1 ? "it" : "them")} (its scopes: {string.Join(", ", scoped.Scopes)}): {(away.Count == 1 ? "that app's" : "those apps'")} sidecar cannot subscribe",
                $"add {string.Join(", ", away.Select(a => $"'{a}'"))} to the component's 'scopes:', or scope the subscription to apps that load it", scoped.ScopesLocation);
        }
    }
}
