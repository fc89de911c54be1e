using System.Globalization;
using Veltrix.Resources.Cel;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Yaml;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Resources.Subscriptions;

/// <summary>Reads `Subscription` documents in both apiVersions: dapr.io/v2alpha1 (routes) and dapr.io/v1alpha1 (route).</summary>
public static class SubscriptionReader
{
    private static readonly string[] TopLevel = ["apiVersion", "kind", "metadata", "spec", "scopes"];
    private static readonly string[] SpecFields = ["pubsubname", "topic", "routes", "route", "deadLetterTopic", "metadata", "bulkSubscribe"];

    public static SubscriptionResource? Read(RawResource raw, DiagnosticSink sink)
    {
        var file = raw.File;
        sink.UnknownFields(file, raw.Root, "a Subscription", TopLevel);
        var name = (raw.Root.Child("metadata") as YamlMappingNode)?.Scalar("name") ?? "";
        if (raw.Root.Child("spec") is not YamlMappingNode spec)
        {
            sink.Error(ErrorCodes.MissingField, raw.Root.ProblemAt(file, "spec"), $"subscription '{name}' has no spec (a mapping)", "add a spec with pubsubname, topic and routes");
            return null;
        }
        sink.UnknownFields(file, spec, $"the spec of subscription '{name}'", SpecFields);
        CheckApiVersionShape(raw, spec, name, sink);
        var pubsub = spec.Scalar("pubsubname");
        var topic = spec.Scalar("topic");
        if (string.IsNullOrWhiteSpace(pubsub) || string.IsNullOrWhiteSpace(topic))
        {
            sink.Error(ErrorCodes.MissingField, spec.ProblemAt(file, string.IsNullOrWhiteSpace(pubsub) ? "pubsubname" : "topic"), $"subscription '{name}' needs spec.pubsubname and spec.topic (non-empty text values)",
                "add 'pubsubname: <component name>' and 'topic: <topic>'");
            return null;
        }

        var rules = new List<RouteRule>();
        string? defaultRoute = null;
        var ok = true;
        if (spec.Child("routes") is YamlMappingNode routes)
        {
            defaultRoute = routes.Scalar("default");
            if (routes.Child("rules") is YamlSequenceNode ruleList)
            {
                foreach (var item in ruleList.Children.OfType<YamlMappingNode>())
                {
                    var path = item.Scalar("path");
                    if (string.IsNullOrWhiteSpace(path))
                    {
                        sink.Error(ErrorCodes.InvalidSubscription, file, item, $"a rule of subscription '{name}' has no path", "add 'path: /route' to the rule");
                        ok = false;
                        continue;
                    }
                    var matchNode = item.Child("match");
                    var rule = RoutingRule.Parse(matchNode.ScalarValue(), path, matchNode?.At(file) ?? item.At(file), $"subscription '{name}'", sink);
                    if (rule is null) ok = false;
                    else rules.Add(rule);
                }
            }
        }
        else if (spec.Scalar("route") is { Length: > 0 } route)
        {
            defaultRoute = route; // the deprecated v1alpha1 shape
        }

        if (rules.Count == 0 && string.IsNullOrWhiteSpace(defaultRoute) && ok)
        {
            sink.Error(ErrorCodes.InvalidSubscription, file, spec, $"subscription '{name}' on topic '{topic}' has no route",
                "add 'routes: { default: /path }' (v2alpha1) or 'route: /path' (v1alpha1); daprd silently drops such a subscription");
            return null;
        }

        var metadata = spec.Child("metadata") is YamlMappingNode meta
            ? meta.Entries().ToDictionary(e => e.Key, e => e.Value.ScalarValue() ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>();
        var bulk = ReadBulk(file, name, spec.Child("bulkSubscribe"), sink);
        var deadLetter = spec.Scalar("deadLetterTopic");
        var rawPayload = (spec.Child("metadata") as YamlMappingNode)?.Child("rawPayload");
        return ok
            ? new SubscriptionResource(name, pubsub, topic, rules, defaultRoute, string.IsNullOrWhiteSpace(deadLetter) ? null : deadLetter, metadata, bulk,
                raw.Root.Child("scopes").StringList(), raw.Location)
            {
                PubSubLocation = spec.Child("pubsubname")!.At(file),
                TopicLocation = spec.Child("topic")!.At(file),
                DeadLetterLocation = spec.Child("deadLetterTopic")?.At(file),
                RawPayloadLocation = rawPayload?.At(file),
                ScopesLocation = raw.Root.Child("scopes")?.At(file),
                ScopeLocations = raw.Root.Child("scopes").StringListLocations(file),
            }
            : null;
    }

    /// <summary>
    /// daprd reads `route` only in dapr.io/v1alpha1 and `routes` only in dapr.io/v2alpha1 and ignores the other, so a
    /// subscription written in one version's shape under the other's apiVersion loses its route (and with it every event).
    /// </summary>
    private static void CheckApiVersionShape(RawResource raw, YamlMappingNode spec, string name, DiagnosticSink sink)
    {
        var (wrong, right, version) = raw.ApiVersion switch
        {
            "dapr.io/v1alpha1" => ("routes", "route", "dapr.io/v1alpha1"),
            "dapr.io/v2alpha1" => ("route", "routes", "dapr.io/v2alpha1"),
            _ => (null, null, null),
        };
        if (raw.ApiVersion is not ("dapr.io/v1alpha1" or "dapr.io/v2alpha1"))
        {
            var at = raw.Root.Child("apiVersion")?.At(raw.File) ?? raw.Location;
            sink.Error(ErrorCodes.SubscriptionOfOtherApiVersion, at, $"subscription '{name}' has apiVersion '{raw.ApiVersion}', which daprd does not read for a Subscription",
                "write 'apiVersion: dapr.io/v2alpha1' (with 'routes:') or 'apiVersion: dapr.io/v1alpha1' (with 'route:')");
            return;
        }
        if (spec.KeyNode(wrong!) is not { } key) return;
        var other = version == "dapr.io/v1alpha1" ? "dapr.io/v2alpha1" : "dapr.io/v1alpha1";
        sink.Error(ErrorCodes.SubscriptionOfOtherApiVersion, key.At(raw.File),
            $"subscription '{name}' is {version} but uses '{wrong}', a field of {other}: daprd ignores it" + (spec.KeyNode(right!) is null ? ", so the subscription has no route and receives nothing" : ""),
            $"write 'apiVersion: {other}', or use '{right}' as {version} has it");
    }

    private static BulkSubscribeSpec? ReadBulk(string file, string name, YamlNode? node, DiagnosticSink sink)
    {
        if (node is not YamlMappingNode map) return null;
        var enabled = bool.TryParse(map.Scalar("enabled"), out var on) && on;
        var count = ReadPositive(file, name, map, "maxMessagesCount", 100, sink);
        var wait = ReadPositive(file, name, map, "maxAwaitDurationMs", 1000, sink);
        return new BulkSubscribeSpec(enabled, count, wait);
    }

    private static int ReadPositive(string file, string name, YamlMappingNode map, string key, int fallback, DiagnosticSink sink)
    {
        var node = map.Child(key);
        if (node.ScalarValue() is not { } text) return fallback;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0) return value;
        sink.Error(ErrorCodes.InvalidSubscription, file, node!, $"bulkSubscribe.{key} of subscription '{name}' must be a positive whole number, not '{text}'",
            $"write e.g. '{key}: {fallback}'");
        return fallback;
    }
}
