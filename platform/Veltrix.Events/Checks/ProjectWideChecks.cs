using Veltrix.Events.Model;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Subscriptions;

namespace Veltrix.Events.Checks;

/// <summary>
/// The checks that need the whole project at once — every EventConfiguration, every Dapr resource and the apps of
/// dapr.yaml: scopes and resiliency targets that name no app, service invocation and component calls retried for ever,
/// brokers that redeliver for ever, dead-letter topics nobody reads or two event types share, raw payloads that lose the
/// CloudEvent's id and trace, and consumer groups that split a topic between apps or duplicate it per instance.
/// </summary>
public static class ProjectWideChecks
{
    public static void Check(IReadOnlyList<EventConfiguration> configurations, CheckContext context, DiagnosticSink sink)
    {
        CheckScopesAndAppTargets(context, sink);
        CheckInvocationRetries(context, sink);
        CheckDeclarativeDeadLetters(configurations, context, sink);
        CheckSharedDeadLetters(configurations, sink);
        CheckRawPayloads(configurations, sink);
        ComponentCallsRetriedForever.Check(context, sink);
        BrokerRedeliversForever.Check(configurations, context, sink);
        ConsumerGroupPerInstance.Check(configurations, context, sink);
        SubscriptionSharedConsumerGroup.Check(context, sink);
        TopicsAcrossConfigurations.Check(configurations, sink);
        SubscriptionPubSubScopedAway.Check(context, sink);
        AppTargetNotForDeliveries.Check(configurations, context, sink);
    }

    /// <summary>A misspelt app ID in `scopes:` hides the resource from the app meant, and a resiliency target for an unknown app applies to nothing.</summary>
    private static void CheckScopesAndAppTargets(CheckContext context, DiagnosticSink sink)
    {
        if (context.Apps is not { } apps) return;
        var scoped = (context.Components ?? []).Select(c => (What: $"component '{c.Name}'", c.ScopeLocations))
            .Concat(context.Subscriptions.Where(s => s.Declarative).Select(s => (What: $"subscription '{s.Name}'", s.ScopeLocations)))
            .Concat((context.Resiliencies ?? []).Select(r => (What: $"resiliency '{r.Name}'", r.ScopeLocations)));
        foreach (var (what, scopes) in scoped)
            foreach (var (app, at) in scopes.Where(s => !apps.Contains(s.Key)))
                sink.Error(EventErrorCodes.ScopeNamesNoApp, at, $"'{app}' in the scopes of {what} is not an app of dapr.yaml, so no app loads it under that name",
                    $"{DidYouMean.Hint(app, apps)}apps: {string.Join(", ", apps)}");
        foreach (var target in (context.Resiliencies ?? []).SelectMany(r => r.AppTargets).Where(t => !apps.Contains(t.Name)))
            sink.Warning(EventErrorCodes.AppTargetNamesNoApp, target.Location, $"resiliency target app '{target.Name}' is not an app of dapr.yaml, so its policies apply to no call",
                $"{DidYouMean.Hint(target.Name, apps)}apps: {string.Join(", ", apps)}");
    }

    /// <summary>A retry policy without maxRetries (-1, Dapr's default) on service invocation holds the caller until the callee comes back, for ever.</summary>
    private static void CheckInvocationRetries(CheckContext context, DiagnosticSink sink)
    {
        foreach (var resiliency in context.Resiliencies ?? [])
            foreach (var target in resiliency.AppTargets)
            {
                if (target.Policies.Retry is not { } name || !resiliency.Retries.TryGetValue(name, out var policy) || policy.MaxRetries != -1) continue;
                sink.Warning(EventErrorCodes.InvocationRetriedForever, target.Policies.RetryLocation ?? target.Location,
                    $"calls to app '{target.Name}' are retried forever: retry policy '{name}' has no maxRetries (-1, Dapr's default), so a caller waits as long as '{target.Name}' is down",
                    $"set 'maxRetries' on policy '{name}' (and a timeout policy on the target)", policy.Location);
            }
    }

    /// <summary>
    /// A dead-letter topic of a declarative Subscription must be read by someone: another subscription, an event type
    /// on that topic, or the dead-letter owner of an event type — otherwise failed events land where nobody looks.
    /// </summary>
    private static void CheckDeclarativeDeadLetters(IReadOnlyList<EventConfiguration> configurations, CheckContext context, DiagnosticSink sink)
    {
        UnreadDeadLetterTopics.Check(configurations.SelectMany(c => c.Events), context.Subscriptions, sink);
        foreach (var subscription in context.Subscriptions.Where(s => s.Declarative && s.DeadLetterTopic is null))
        {
            if (context.InboundRetry(subscription.PubSubName) is not { MaxRetries: -1 } policy) continue;
            sink.Error(EventErrorCodes.UnboundedRetriesWithoutDeadLetter, subscription.TopicLocation ?? subscription.Location,
                $"subscription '{subscription.Name}' on '{subscription.Topic}' is retried forever (policy '{policy.Name}' has maxRetries -1) and has no deadLetterTopic: one poisoned event blocks or loops for ever",
                $"set 'maxRetries' on policy '{policy.Name}', or add 'deadLetterTopic: {subscription.Topic}.dead' with a reader", policy.Location);
        }
    }

    /// <summary>One owner per dead-letter topic: two event types that share one would mix their failures and be parked and replayed as each other.</summary>
    private static void CheckSharedDeadLetters(IReadOnlyList<EventConfiguration> configurations, DiagnosticSink sink)
    {
        var first = new Dictionary<(string, string), EventDefinition>();
        foreach (var definition in configurations.SelectMany(c => c.Events).Where(d => d.DeadLetter is not null))
        {
            var key = (definition.PubSub, definition.DeadLetter!.Topic);
            if (!first.TryAdd(key, definition))
                sink.Error(EventErrorCodes.DeadLetterTopicShared, definition.DeadLetter.TopicLocation ?? definition.DeadLetter.Location ?? definition.Location!,
                    $"dead-letter topic '{definition.DeadLetter.Topic}' of '{definition.Type}' is also the dead-letter topic of '{first[key].Type}': their failed events would be parked and replayed as one another",
                    $"give each event type its own dead-letter topic, e.g. '{definition.Topic}.dead'", first[key].DeadLetter!.TopicLocation ?? first[key].DeadLetter!.Location);
        }
    }

    /// <summary>Raw payloads carry no CloudEvent: no id to recognise a redelivery or replay by, no traceparent to follow.</summary>
    private static void CheckRawPayloads(IReadOnlyList<EventConfiguration> configurations, DiagnosticSink sink)
    {
        foreach (var definition in configurations.SelectMany(c => c.Events).Where(d => d.RawPayload))
            sink.Warning(EventErrorCodes.RawPayloadLosesIdentity, definition.At("rawPayload")!,
                $"'{definition.Type}' is published raw: its events carry no CloudEvent id (a redelivery or a dead-letter replay cannot be recognised by id) and no traceparent (traces stop at the publisher)",
                "publish CloudEvents (remove 'rawPayload: true') unless a consumer outside Dapr needs the bare payload; then make consumers idempotent on a field of the data");
    }
}
