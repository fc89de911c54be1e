using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Veltrix.Dapr.Subscriptions;

/// <summary>
/// Turns topic metadata found on endpoints into the <c>/dapr/subscribe</c> document: one subscription per
/// (pub/sub, topic), matched endpoints as rules ordered by priority, the unmatched one as the default route.
/// Contradictions are refused with <see cref="InvalidOperationException"/> so the app fails at start-up instead of
/// the sidecar silently picking one route.
/// </summary>
internal static class SubscriptionDocumentBuilder
{
    private sealed record Route(ITopicMetadata Topic, string Path, string Endpoint, IReadOnlyList<TopicMetadataAttribute> ExtraMetadata,
        IBulkSubscribeMetadata? Bulk, int Order);

    public static IReadOnlyList<SubscriptionJson> Build(IEnumerable<Endpoint> endpoints, SubscribeOptions? options = null)
    {
        var routes = new List<Route>();
        foreach (var endpoint in endpoints)
        {
            var topics = endpoint.Metadata.GetOrderedMetadata<ITopicMetadata>();
            if (topics.Count == 0) continue;
            var name = endpoint.DisplayName ?? "(unnamed endpoint)";
            if (endpoint is not RouteEndpoint routeEndpoint)
                throw new InvalidOperationException($"Endpoint '{name}' subscribes to topic '{topics[0].Name}' but has no route the sidecar could POST to.");
            var path = LiteralPath(routeEndpoint.RoutePattern, name);
            if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 } methods
                && !methods.HttpMethods.Contains(HttpMethods.Post, StringComparer.OrdinalIgnoreCase))
                throw new InvalidOperationException($"Endpoint '{name}' subscribes to topic '{topics[0].Name}' but does not accept POST, which is how the sidecar delivers events. Map it with MapPost.");

            var extra = endpoint.Metadata.GetOrderedMetadata<TopicMetadataAttribute>();
            var bulks = endpoint.Metadata.GetOrderedMetadata<IBulkSubscribeMetadata>();
            foreach (var topic in topics)
            {
                var bulk = bulks.LastOrDefault(b => b.TopicName is null || b.TopicName == topic.Name);
                routes.Add(new Route(topic, path, name, extra, bulk, routes.Count));
            }
        }

        var document = new List<SubscriptionJson>();
        foreach (var group in routes.GroupBy(r => (r.Topic.PubsubName, r.Topic.Name)))
            document.Add(BuildOne(group.Key.PubsubName, group.Key.Name, group.ToList(), options));
        return document;
    }

    private static SubscriptionJson BuildOne(string pubsub, string topic, List<Route> routes, SubscribeOptions? options)
    {
        var what = $"pub/sub '{pubsub}' topic '{topic}'";

        var defaults = routes.Where(r => string.IsNullOrWhiteSpace(r.Topic.Match)).Select(r => r.Path).Distinct(StringComparer.Ordinal).ToList();
        if (defaults.Count > 1)
            throw new InvalidOperationException(
                $"Two default routes for {what}: {string.Join(" and ", defaults.Select(p => $"'{p}'"))}. The sidecar can deliver an event to only one; give all but one a Match expression, or subscribe them to different topics.");

        // OrderBy is stable: equal priorities keep the order endpoints were mapped in.
        var rules = routes.Where(r => !string.IsNullOrWhiteSpace(r.Topic.Match))
            .OrderBy(r => r.Topic.Priority).ThenBy(r => r.Order)
            .Select(r => new SubscriptionRuleJson(r.Topic.Match!, r.Path))
            .DistinctBy(r => (r.Match, r.Path))
            .ToList();

        var deadLetters = routes.Select(r => r.Topic.DeadLetterTopic).Where(d => !string.IsNullOrWhiteSpace(d)).Distinct(StringComparer.Ordinal).ToList();
        if (deadLetters.Count > 1)
            throw new InvalidOperationException(
                $"Conflicting dead-letter topics for {what}: {string.Join(", ", deadLetters.Select(d => $"'{d}'"))} (on {Endpoints(routes)}). A subscription has one dead-letter topic; use the same one on every route of the topic.");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            foreach (var (key, value) in route.Topic.Metadata ?? new Dictionary<string, string>())
                AddMetadata(metadata, key, value, what, route.Endpoint);
            foreach (var entry in route.ExtraMetadata)
                AddMetadata(metadata, entry.Name, entry.Value, what, route.Endpoint);
        }
        // rawPayload is a property of the whole subscription: one raw route makes the subscription raw.
        if (options?.EnableRawPayload == true || routes.Any(r => r.Topic.EnableRawPayload))
            metadata["rawPayload"] = "true";

        var bulkSettings = routes.Select(r => r.Bulk).OfType<IBulkSubscribeMetadata>()
            .Select(b => (b.MaxMessagesCount, b.MaxAwaitDurationMs)).Distinct().ToList();
        if (bulkSettings.Count > 1)
            throw new InvalidOperationException(
                $"Conflicting bulk-subscribe settings for {what} on {Endpoints(routes)}: {string.Join(" vs ", bulkSettings.Select(b => $"{b.MaxMessagesCount} messages/{b.MaxAwaitDurationMs} ms"))}.");

        return new SubscriptionJson(
            pubsub,
            topic,
            new SubscriptionRoutesJson(rules.Count == 0 ? null : rules, defaults.SingleOrDefault()),
            deadLetters.SingleOrDefault(),
            metadata.Count == 0 ? null : metadata,
            bulkSettings.Count == 0 ? null : new BulkSubscribeJson(true, bulkSettings[0].MaxMessagesCount, bulkSettings[0].MaxAwaitDurationMs));
    }

    private static void AddMetadata(Dictionary<string, string> metadata, string key, string value, string what, string endpoint)
    {
        if (metadata.TryGetValue(key, out var existing) && existing != value)
            throw new InvalidOperationException($"Conflicting subscription metadata '{key}' for {what}: '{existing}' and '{value}' (on '{endpoint}').");
        metadata[key] = value;
    }

    private static string Endpoints(List<Route> routes) => string.Join(", ", routes.Select(r => $"'{r.Endpoint}'").Distinct());

    /// <summary>The sidecar POSTs to a fixed path, so a topic route cannot have parameters.</summary>
    private static string LiteralPath(RoutePattern pattern, string endpoint)
    {
        var segments = new List<string>(pattern.PathSegments.Count);
        foreach (var segment in pattern.PathSegments)
        {
            var text = "";
            foreach (var part in segment.Parts)
            {
                if (part is not RoutePatternLiteralPart literal)
                    throw new InvalidOperationException(
                        $"Endpoint '{endpoint}' subscribes to a topic but its route '{pattern.RawText}' has parameters; the sidecar delivers to a fixed path, so use a literal route.");
                text += literal.Content;
            }
            segments.Add(text);
        }
        return "/" + string.Join('/', segments);
    }
}
