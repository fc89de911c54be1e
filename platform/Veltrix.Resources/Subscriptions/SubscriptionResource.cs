using Veltrix.Resources.Cel;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Resources.Subscriptions;

/// <summary>One routing rule: a CEL condition over the CloudEvent and the app path it sends matching events to.</summary>
public sealed record RouteRule(CelExpression? Match, string Path, SourceLocation Location);

public sealed record BulkSubscribeSpec(bool Enabled, int MaxMessagesCount = 100, int MaxAwaitDurationMs = 1000);

/// <summary>
/// A subscription, declarative (a `Subscription` resource) or programmatic (an app's /dapr/subscribe): one
/// (pub/sub, topic) with its ordered rules, default route and dead-letter topic.
/// </summary>
public sealed record SubscriptionResource(
    string Name,
    string PubSubName,
    string Topic,
    IReadOnlyList<RouteRule> Rules,
    string? DefaultRoute,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string> Metadata,
    BulkSubscribeSpec? BulkSubscribe,
    IReadOnlyList<string> Scopes,
    SourceLocation Location,
    bool Declarative = true)
{
    /// <summary>Where spec.pubsubname is written (declarative subscriptions only; else null, as for the other locations).</summary>
    public SourceLocation? PubSubLocation { get; init; }

    public SourceLocation? TopicLocation { get; init; }

    public SourceLocation? DeadLetterLocation { get; init; }

    /// <summary>Where the `rawPayload` metadata item is written, when it is.</summary>
    public SourceLocation? RawPayloadLocation { get; init; }

    public SourceLocation? ScopesLocation { get; init; }

    public IReadOnlyDictionary<string, SourceLocation> ScopeLocations { get; init; } = new Dictionary<string, SourceLocation>();

    public bool AppliesTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);

    public bool RawPayload => Metadata.TryGetValue("rawPayload", out var raw) && bool.TryParse(raw, out var on) && on;
}
