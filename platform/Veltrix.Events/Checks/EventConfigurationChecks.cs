using Veltrix.Events.Model;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Resiliency;

namespace Veltrix.Events.Checks;

/// <summary>
/// The checks across an EventConfiguration, the Dapr resources and the apps of dapr.yaml: the mistakes Dapr users
/// make that daprd only reveals at run time (a misspelt pub/sub, a component scoped away from its user, retries that
/// never end or multiply, dead letters nobody reads, consumers that split or miss messages).
/// </summary>
public static class EventConfigurationChecks
{
    public static void Check(EventConfiguration configuration, CheckContext context, DiagnosticSink sink)
    {
        foreach (var definition in configuration.Events)
        {
            CheckApps(definition, context, sink);
            var component = CheckPubSub(definition, context, sink);
            var retry = CheckRetry(definition, context, sink);
            if (component is not null) CheckBroker(definition, component, retry, context, sink);
            DeclarativeSubscriptionsOfEvent.Check(definition, context.Subscriptions, sink);
            if (definition.Consumers.Count == 0 && definition.Producers.Count > 0)
                sink.Warning(EventErrorCodes.NobodyConsumes, definition.At("consumers")!, $"event type '{definition.Type}' is published by {string.Join(", ", definition.Producers)} but nobody consumes it",
                    "add a consumer, or stop publishing it; events on a topic nobody subscribes to are dropped by most brokers");
            if (definition.Producers.Count == 0 && definition.Consumers.Count > 0)
                sink.Warning(EventErrorCodes.NobodyProduces, definition.At("producers")!, $"event type '{definition.Type}' is consumed by {string.Join(", ", definition.Consumers.Select(c => c.App))} but nobody produces it",
                    "add the producing app to 'producers', or remove the consumer");
        }
        CheckTopics(configuration, sink);
    }

    private static void CheckApps(EventDefinition definition, CheckContext context, DiagnosticSink sink)
    {
        if (context.Apps is not { } apps) return;
        foreach (var producer in definition.Producers.Where(p => !apps.Contains(p)))
            sink.Error(EventErrorCodes.UnknownApp, definition.At("producers")!, $"producer '{producer}' of '{definition.Type}' is not an app of dapr.yaml",
                $"{DidYouMean.Hint(producer, apps)}apps: {string.Join(", ", apps)}");
        foreach (var consumer in definition.Consumers.Where(c => !apps.Contains(c.App)))
            sink.Error(EventErrorCodes.UnknownApp, consumer.AppLocation ?? consumer.Location ?? definition.Location!, $"consumer '{consumer.App}' of '{definition.Type}' is not an app of dapr.yaml",
                $"{DidYouMean.Hint(consumer.App, apps)}apps: {string.Join(", ", apps)}");
        if (definition.DeadLetter is { } dead && !apps.Contains(dead.Owner))
            sink.Error(EventErrorCodes.DeadLetterOwnerUnknown, dead.OwnerLocation ?? dead.Location ?? definition.Location!, $"dead-letter owner '{dead.Owner}' of '{definition.Type}' is not an app of dapr.yaml, so nobody reads '{dead.Topic}'",
                $"{DidYouMean.Hint(dead.Owner, apps)}name the app that parks and replays failed '{definition.Type}' events; apps: {string.Join(", ", apps)}");
    }

    private static ComponentResource? CheckPubSub(EventDefinition definition, CheckContext context, DiagnosticSink sink)
    {
        if (context.Components is not { } components) return null;
        var named = components.Where(c => c.Name == definition.PubSub).ToList();
        var at = definition.At("pubsub")!;
        if (named.Count == 0)
        {
            var pubsubs = components.Where(c => c.BuildingBlock == "pubsub").Select(c => c.Name).Distinct().ToList();
            sink.Error(EventErrorCodes.UnknownPubSub, at, $"'{definition.Type}' travels on pub/sub '{definition.PubSub}', which no component defines",
                $"{DidYouMean.Hint(definition.PubSub, pubsubs)}pub/sub components: {(pubsubs.Count > 0 ? string.Join(", ", pubsubs) : "none — add one under components/")}");
            return null;
        }
        if (named.All(c => c.BuildingBlock != "pubsub"))
        {
            sink.Error(EventErrorCodes.NotAPubSub, at, $"component '{definition.PubSub}' of '{definition.Type}' is a {named[0].Type}, not a pub/sub",
                "name a component whose type starts with 'pubsub.'");
            return null;
        }
        var users = definition.Producers.Select(p => (App: p, Role: "producer"))
            .Concat(definition.Consumers.Select(c => (c.App, Role: "consumer")))
            .Concat(definition.DeadLetter is { } dead ? [(dead.Owner, "dead-letter owner")] : []);
        foreach (var (app, role) in users)
        {
            if (named.Any(c => c.BuildingBlock == "pubsub" && c.AppliesTo(app))) continue;
            var scoped = named.First(c => c.BuildingBlock == "pubsub");
            sink.Error(EventErrorCodes.ComponentScopedAway, at, $"pub/sub '{definition.PubSub}' is scoped away from '{app}', the {role} of '{definition.Type}' (its scopes: {string.Join(", ", scoped.Scopes)})",
                $"add '{app}' to the component's 'scopes:' list, or remove 'scopes:' so every app loads it", scoped.ScopesLocation);
        }
        return named.FirstOrDefault(c => c.BuildingBlock == "pubsub" && definition.Consumers.All(consumer => c.AppliesTo(consumer.App))) ?? named.First(c => c.BuildingBlock == "pubsub");
    }

    /// <summary>The retry policy deliveries of the event get: its own `retry`, else the one a resiliency target gives its pub/sub inbound.</summary>
    private static RetrySpec? CheckRetry(EventDefinition definition, CheckContext context, DiagnosticSink sink)
    {
        if (context.Resiliencies is not { } resiliencies) return null;
        var policies = resiliencies.SelectMany(r => r.Retries.Values).ToList();
        RetrySpec? retry = null;
        if (definition.Retry is { } name)
        {
            retry = policies.FirstOrDefault(p => p.Name == name);
            if (retry is null)
            {
                var names = policies.Select(p => p.Name).Distinct().ToList();
                sink.Error(EventErrorCodes.UnknownRetryPolicy, definition.At("retry")!, $"retry budget '{name}' of '{definition.Type}' names no retry policy of a Resiliency resource",
                    $"{DidYouMean.Hint(name, names)}retry policies: {(names.Count > 0 ? string.Join(", ", names) : "none — define one under spec.policies.retries of a Resiliency resource")}");
                return null;
            }
        }
        else
        {
            retry = context.InboundRetry(definition.PubSub);
        }

        if (retry is { MaxRetries: -1 } && definition.DeadLetter is null && definition.Consumers.Count > 0)
            sink.Error(EventErrorCodes.UnboundedRetriesWithoutDeadLetter, definition.At(definition.Retry is null ? "type" : "retry")!,
                $"'{definition.Type}' is retried forever (policy '{retry.Name}' has maxRetries -1) and has no dead-letter topic: one poisoned event blocks or loops for ever",
                $"set 'maxRetries' on policy '{retry.Name}', or add 'deadLetter: {{topic: {definition.Topic}.dead, owner: <app>}}'");
        if (retry is null && definition.DeadLetter is not null)
            sink.Warning(EventErrorCodes.DeadLetterWithoutRetries, definition.DeadLetter.Location ?? definition.Location!,
                $"'{definition.Type}' has a dead-letter topic but no retry policy: the first failed delivery goes straight to '{definition.DeadLetter.Topic}'",
                "add 'retry: <policy>' naming a Resiliency retry policy, or a resiliency target for the pub/sub's inbound direction");
        return retry;
    }

    private static void CheckBroker(EventDefinition definition, ComponentResource component, RetrySpec? retry, CheckContext context, DiagnosticSink sink)
    {
        var at = definition.At("pubsub")!;
        var (brokerRetries, brokerKey, fix) = component.Type switch
        {
            "pubsub.rabbitmq" when IsTrue(component.Get("requeueInFailure")) =>
                ("requeueInFailure: true makes RabbitMQ redeliver every failed message", "requeueInFailure", "set 'requeueInFailure: false' and let the resiliency policy retry"),
            "pubsub.kafka" when !IsFalse(component.Get("consumeRetryEnabled")) =>
                ("consumeRetryEnabled (true by default) makes the Kafka component retry on its own", "consumeRetryEnabled", "set 'consumeRetryEnabled: false' and let the resiliency policy retry"),
            "pubsub.redis" when retry is not null && RedisReclaimsWhileRetrying(component, retry) is { } reclaim =>
                (reclaim, component.Get("processingTimeout") is null ? "redeliverInterval" : "processingTimeout",
                    "set 'processingTimeout' above the time the policy retries for (redeliverInterval: \"0\" would also stop redelivering after a crash)"),
            _ => ((string?)null, "", ""),
        };
        if (brokerRetries is not null && retry is { MaxRetries: not 0 })
            sink.Warning(EventErrorCodes.RetriesMultiplied, at,
                $"deliveries of '{definition.Type}' are retried twice over: the sidecar by policy '{retry.Name}' and the broker ({brokerRetries}); failures multiply",
                fix, EntryOf(component, brokerKey));

        var group = component.Type switch
        {
            "pubsub.kafka" => component.Get("consumerGroup") ?? component.Get("consumerID"),
            _ => component.Get("consumerID"),
        };
        var apps = definition.Consumers.Select(c => c.App).Distinct().ToList();
        if (group is { Length: > 0 } && !group.Contains('{', StringComparison.Ordinal) && apps.Count > 1)
            sink.Warning(EventErrorCodes.SharedConsumerGroup, at,
                $"consumers {string.Join(", ", apps)} of '{definition.Type}' share consumer group '{group}' of component '{component.Name}', so each event reaches only one of them",
                "remove the fixed consumerID/consumerGroup so each app gets its own (Dapr defaults to the app ID), or use '{appID}'",
                EntryOf(component, component.Type == "pubsub.kafka" && component.Get("consumerGroup") is not null ? "consumerGroup" : "consumerID"));

        if (context.Target == RuntimeTarget.Daprd && component.Type == "pubsub.in-memory")
        {
            var users = definition.Producers.Concat(apps).Distinct().ToList();
            if (users.Count > 1)
                sink.Error(EventErrorCodes.InMemoryAcrossApps, at,
                    $"'{definition.Type}' goes from {string.Join(", ", definition.Producers)} to {string.Join(", ", apps)} over pubsub.in-memory, which under daprd exists inside one sidecar only: the events never arrive",
                    "use a broker (pubsub.rabbitmq, pubsub.redis, pubsub.kafka) under daprd; in-memory works across apps only on the Veltrix dev sidecar");
        }
    }

    private static void CheckTopics(EventConfiguration configuration, DiagnosticSink sink)
    {
        var byTopic = new Dictionary<(string, string), EventDefinition>();
        foreach (var definition in configuration.Events)
        {
            if (byTopic.TryGetValue((definition.PubSub, definition.Topic), out var first))
                sink.Error(EventErrorCodes.TopicSharedByTypes, definition.At("topic")!, $"topic '{definition.Topic}' carries both '{first.Type}' and '{definition.Type}'",
                    $"give '{definition.Type}' a topic of its own, e.g. '{definition.Type}'; one event type per topic keeps consumers from receiving types they cannot read", first.At("topic"));
            else byTopic[(definition.PubSub, definition.Topic)] = definition;
        }
        foreach (var definition in configuration.Events.Where(d => d.DeadLetter is not null))
        {
            var dead = definition.DeadLetter!;
            if (byTopic.TryGetValue((definition.PubSub, dead.Topic), out var other))
                sink.Error(EventErrorCodes.DeadLetterIsEventTopic, dead.TopicLocation ?? dead.Location ?? definition.Location!,
                    $"dead-letter topic '{dead.Topic}' of '{definition.Type}' is the topic of '{other.Type}': failed events would be delivered as '{other.Type}'",
                    $"use a topic of its own, e.g. '{definition.Topic}.dead'", other.At("topic"));
        }
    }

    /// <summary>
    /// Redis streams hand a message that stays unacknowledged longer than processingTimeout (15 s by default) to a
    /// consumer again, every redeliverInterval (60 s by default; "0" switches it off). While the sidecar retries a
    /// delivery, the message stays unacknowledged: a policy that retries for longer than processingTimeout gets the
    /// same message delivered again beside its own retries — the deliveries that "cluster every minute".
    /// </summary>
    private static string? RedisReclaimsWhileRetrying(ComponentResource component, RetrySpec retry)
    {
        var interval = component.Get("redeliverInterval") is { } text ? GoDuration.TryParse(text, out var parsed) ? parsed : (TimeSpan?)null : TimeSpan.FromSeconds(60);
        var timeout = component.Get("processingTimeout") is { } t ? GoDuration.TryParse(t, out var p) ? p : (TimeSpan?)null : TimeSpan.FromSeconds(15);
        if (interval is not { } every || every <= TimeSpan.Zero || timeout is not { } idle) return null;
        var budget = RetryTime(retry);
        if (budget is { } known && known <= idle) return null;
        return $"Redis redelivers a message unacknowledged for processingTimeout {idle.TotalSeconds:0.#}s every {every.TotalSeconds:0.#}s, and policy '{retry.Name}' retries for "
               + (budget is { } b ? $"about {b.TotalSeconds:0}s" : "ever");
    }

    /// <summary>How long a policy waits between its retries in all (null: for ever). Exponential: Dapr's 500 ms, ×1.5 per retry, capped at maxInterval.</summary>
    private static TimeSpan? RetryTime(RetrySpec retry)
    {
        if (retry.MaxRetries < 0) return null;
        if (retry.Kind == RetryKind.Constant) return retry.Duration * retry.MaxRetries;
        var (total, wait) = (TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
        for (var i = 0; i < retry.MaxRetries && total < TimeSpan.FromDays(1); i++)
        {
            total += wait < retry.MaxInterval ? wait : retry.MaxInterval;
            wait *= 1.5;
        }
        return total;
    }

    private static SourceLocation EntryOf(ComponentResource component, string key) =>
        component.Metadata.FirstOrDefault(m => string.Equals(m.Name, key, StringComparison.OrdinalIgnoreCase))?.Location ?? component.NameLocation ?? component.Location;

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    private static bool IsFalse(string? value) => string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);
}
