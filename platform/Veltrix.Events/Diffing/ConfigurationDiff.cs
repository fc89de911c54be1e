using Veltrix.Events.Model;

namespace Veltrix.Events.Diffing;

/// <summary>What changes between two configuration versions, per event type, in words an operator reads before activating.</summary>
public sealed record ConfigurationDiff(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<TypeChange> Changed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;

    public static ConfigurationDiff Between(EventConfiguration from, EventConfiguration to)
    {
        var added = to.Events.Where(e => from.Find(e.Type) is null).Select(e => e.Type).ToList();
        var removed = from.Events.Where(e => to.Find(e.Type) is null).Select(e => e.Type).ToList();
        var changed = new List<TypeChange>();
        foreach (var after in to.Events)
        {
            if (from.Find(after.Type) is not { } before) continue;
            var changes = Changes(before, after).ToList();
            if (changes.Count > 0) changed.Add(new TypeChange(after.Type, changes));
        }
        return new ConfigurationDiff(added, removed, changed);
    }

    private static IEnumerable<string> Changes(EventDefinition a, EventDefinition b)
    {
        if (a.PubSub != b.PubSub) yield return $"pubsub: {a.PubSub} → {b.PubSub}";
        if (a.Topic != b.Topic) yield return $"topic: {a.Topic} → {b.Topic}";
        foreach (var change in ListChange("producers", a.Producers, b.Producers)) yield return change;
        foreach (var change in ListChange("consumers", a.Consumers.Select(c => c.App).ToList(), b.Consumers.Select(c => c.App).ToList())) yield return change;
        foreach (var consumer in b.Consumers)
        {
            if (a.Consumers.FirstOrDefault(c => c.App == consumer.App) is not { } old || old == consumer with { Location = old.Location, AppLocation = old.AppLocation }) continue;
            if (old.Route != consumer.Route) yield return $"consumer {consumer.App} route: {old.Route} → {consumer.Route}";
            if (old.Bulk != consumer.Bulk) yield return $"consumer {consumer.App} bulk: {Bulk(old.Bulk)} → {Bulk(consumer.Bulk)}";
            if (old.MaxConcurrency != consumer.MaxConcurrency) yield return $"consumer {consumer.App} maxConcurrency: {old.MaxConcurrency?.ToString() ?? "none"} → {consumer.MaxConcurrency?.ToString() ?? "none"}";
        }
        foreach (var field in b.Schema.Where(f => a.Schema.All(o => o.Name != f.Name))) yield return $"schema: + {f(field)}";
        foreach (var field in a.Schema.Where(f => b.Schema.All(o => o.Name != f.Name))) yield return $"schema: - {f(field)}";
        foreach (var field in b.Schema)
            if (a.Schema.FirstOrDefault(o => o.Name == field.Name) is { } old && (old.Type != field.Type || old.Required != field.Required))
                yield return $"schema: {f(old)} → {f(field)}";
        if (a.Lane != b.Lane) yield return $"lane: {a.Lane.ToString().ToLowerInvariant()} → {b.Lane.ToString().ToLowerInvariant()}";
        if (a.OrderingKey != b.OrderingKey) yield return $"orderingKey: {a.OrderingKey ?? "none"} → {b.OrderingKey ?? "none"}";
        if (a.Ttl != b.Ttl) yield return $"ttl: {Ttl(a.Ttl)} → {Ttl(b.Ttl)}";
        if (a.Retry != b.Retry) yield return $"retry: {a.Retry ?? "none"} → {b.Retry ?? "none"}";
        if (a.DeadLetter?.Topic != b.DeadLetter?.Topic || a.DeadLetter?.Owner != b.DeadLetter?.Owner)
            yield return $"deadLetter: {DeadLetter(a.DeadLetter)} → {DeadLetter(b.DeadLetter)}";
        if (a.RawPayload != b.RawPayload) yield return $"rawPayload: {a.RawPayload} → {b.RawPayload}";

        static string f(FieldSchema field) => $"{field.Name} ({field.Type.ToString().ToLowerInvariant()}{(field.Required ? "" : ", optional")})";
    }

    private static IEnumerable<string> ListChange(string what, IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        foreach (var item in after.Except(before)) yield return $"{what}: + {item}";
        foreach (var item in before.Except(after)) yield return $"{what}: - {item}";
    }

    private static string Bulk(BulkDelivery? bulk) => bulk is null ? "off" : $"{bulk.MaxMessages}/{bulk.MaxAwaitMs}ms";

    private static string Ttl(TimeSpan? ttl) => ttl is null ? "none" : $"{ttl.Value.TotalSeconds:0}s";

    private static string DeadLetter(DeadLetterSpec? dead) => dead is null ? "none" : $"{dead.Topic} (owner {dead.Owner})";
}

public sealed record TypeChange(string Type, IReadOnlyList<string> Changes);
