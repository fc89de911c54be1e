using System.Globalization;
using System.Text.RegularExpressions;
using Veltrix.Events.Checks;
using Veltrix.Events.Model;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Yaml;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Events.Reading;

/// <summary>
/// Reads an `EventConfiguration` document with positions. Reports every problem of the document (unknown keys with a
/// did-you-mean, wrong value types, names that are not names), and returns the configuration when it is usable.
/// </summary>
public static partial class EventConfigurationReader
{
    private static readonly string[] TopLevel = ["apiVersion", "kind", "metadata", "spec"];
    private static readonly string[] SpecKeys = ["events"];
    public static readonly string[] EventKeys =
        ["type", "description", "schema", "pubsub", "topic", "producers", "consumers", "lane", "orderingKey", "ttl", "retry", "deadLetter", "rawPayload"];
    private static readonly string[] ConsumerKeys = ["app", "route", "bulk", "maxConcurrency"];
    private static readonly string[] BulkKeys = ["maxMessages", "maxAwaitMs"];
    private static readonly string[] DeadLetterKeys = ["topic", "owner"];
    private static readonly string[] FieldKeys = ["type", "required", "description"];
    public static readonly string[] FieldTypeNames = Enum.GetNames<FieldType>().Select(n => n.ToLowerInvariant()).ToArray();
    public static readonly string[] LaneNames = Enum.GetNames<Lane>().Select(n => n.ToLowerInvariant()).ToArray();

    /// <summary>Reads every EventConfiguration in a text (one file); other kinds are left to the caller.</summary>
    public static IReadOnlyList<EventConfiguration> ReadText(string file, string text, List<Diagnostic> diagnostics)
    {
        var configurations = new List<EventConfiguration>();
        foreach (var raw in ResourceFileReader.ReadText(file, text, diagnostics))
            if (Read(raw, new DiagnosticSink(diagnostics)) is { } configuration) configurations.Add(configuration);
        return configurations;
    }

    public static EventConfiguration? Read(RawResource raw, DiagnosticSink sink)
    {
        var file = raw.File;
        if (raw.Kind != EventConfiguration.Kind)
        {
            sink.Error(EventErrorCodes.WrongApiVersion, raw.Root.Child("kind")?.At(file) ?? raw.Location,
                $"kind '{raw.Kind}' is not an EventConfiguration", $"{DidYouMean.Hint(raw.Kind ?? "", [EventConfiguration.Kind])}events/ holds 'kind: EventConfiguration' documents only");
            return null;
        }
        Unknown(sink, file, raw.Root, "an EventConfiguration", TopLevel);
        if (raw.ApiVersion != EventConfiguration.ApiVersion)
            sink.Error(EventErrorCodes.WrongApiVersion, raw.Root.Child("apiVersion")?.At(file) ?? raw.Location,
                raw.ApiVersion is null ? "the document has no apiVersion" : $"apiVersion '{raw.ApiVersion}' is not one Veltrix reads",
                $"write 'apiVersion: {EventConfiguration.ApiVersion}'");

        // A missing key is reported at the mapping it is missing from; a key whose value has the wrong shape, at the value.
        if (RequiredMapping(file, raw, "metadata", sink, "add 'metadata:\\n  name: <name>' — versions are stored and activated under this name") is not { } metadata) return null;
        var name = RequiredScalar(file, metadata, "name", sink, "the metadata", "add 'name: <name>' under 'metadata:' — versions are stored and activated under this name");
        if (name is null) return null;
        if (!NamePattern().IsMatch(name))
            sink.Error(EventErrorCodes.InvalidName, metadata.Child("name")!.At(file), $"configuration name '{name}' is not a valid name",
                "use lower-case letters, digits, '-' and '.', starting with a letter (at most 63 characters)");

        if (RequiredMapping(file, raw, "spec", sink, "add 'spec:' with 'events:', a list of event types") is not { } spec) return null;
        Unknown(sink, file, spec, $"the spec of '{name}'", SpecKeys);
        if (spec.Child("events") is not YamlSequenceNode list)
        {
            sink.Error(EventErrorCodes.MissingField, spec.Child("events")?.At(file) ?? spec.At(file), $"configuration '{name}' has no list of events",
                "add 'events:' with one '- type: …' entry per event type");
            return null;
        }

        var events = new List<EventDefinition>();
        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var item in list.Children)
        {
            if (item is not YamlMappingNode map)
            {
                sink.Error(EventErrorCodes.WrongValueType, item.At(file), "an entry of 'events' must be a mapping", "write '- type: <event.type>' and the event's keys below it");
                continue;
            }
            if (ReadEvent(file, map, sink) is not { } definition) continue;
            if (seen.TryGetValue(definition.Type, out var first))
            {
                sink.Error(EventErrorCodes.DuplicateEventType, definition.At("type")!, $"event type '{definition.Type}' is declared twice",
                    "declare each event type once; merge the two entries", first);
                continue;
            }
            seen[definition.Type] = definition.At("type")!;
            events.Add(definition);
        }
        return new EventConfiguration(name, events)
        {
            Location = raw.Location,
            NameLocation = ((raw.Root.Child("metadata") as YamlMappingNode)?.Child("name"))?.At(file),
        };
    }

    private static EventDefinition? ReadEvent(string file, YamlMappingNode map, DiagnosticSink sink)
    {
        Unknown(sink, file, map, "an event type", EventKeys);
        var keys = map.Entries().ToDictionary(e => e.Key, e => e.Value.At(file), StringComparer.Ordinal);
        var type = RequiredScalar(file, map, "type", sink, "an event type", "add 'type: <domain.event>', e.g. 'type: answer.submitted'");
        if (type is null) return null;
        if (!TypePattern().IsMatch(type))
            sink.Error(EventErrorCodes.InvalidName, map.Child("type")!.At(file), $"event type '{type}' is not a valid event type name",
                "use lower-case words separated by '.', e.g. 'answer.submitted' (letters, digits and '-')");
        var where = $"event type '{type}'";

        var pubsub = RequiredScalar(file, map, "pubsub", sink, where, "add 'pubsub: <component name>', the pub/sub component the event travels on");
        var topic = RequiredScalar(file, map, "topic", sink, where, $"add 'topic: {type}'");
        if (topic is not null && !TopicPattern().IsMatch(topic))
            sink.Error(EventErrorCodes.InvalidName, map.Child("topic")!.At(file), $"topic '{topic}' of {where} is not a valid topic name",
                "use letters, digits, '.', '-' and '_' only");
        var schema = ReadSchema(file, map, sink, where);
        var producers = AppList(file, map, "producers", sink, where);
        var consumers = ReadConsumers(file, map, sink, where);
        var lane = ReadLane(file, map, sink, where);
        var orderingKey = OptionalScalar(file, map, "orderingKey", sink, where);
        var ttl = ReadTtl(file, map, sink, where);
        var retry = OptionalScalar(file, map, "retry", sink, where);
        var deadLetter = ReadDeadLetter(file, map, sink, where);
        var raw = ReadBool(file, map, "rawPayload", sink, where) ?? false;
        OptionalScalar(file, map, "description", sink, where);

        if (orderingKey is not null && schema is not null)
        {
            var field = schema.FirstOrDefault(f => f.Name == orderingKey);
            if (field is null)
                sink.Error(EventErrorCodes.OrderingKeyNotInSchema, map.Child("orderingKey")!.At(file), $"ordering key '{orderingKey}' of {where} is not a field of its schema",
                    $"{DidYouMean.Hint(orderingKey, schema.Select(f => f.Name))}the ordering key names a data field; fields: {string.Join(", ", schema.Select(f => f.Name))}");
            else if (!field.Required)
                sink.Warning(EventErrorCodes.OrderingKeyOptional, map.Child("orderingKey")!.At(file), $"ordering key '{orderingKey}' of {where} is an optional field; events without it have no order",
                    $"make '{orderingKey}' required in the schema");
        }

        if (pubsub is null || topic is null || schema is null || producers is null || consumers is null) return null;
        return new EventDefinition(type, schema, pubsub, topic, producers, consumers, lane, orderingKey, ttl, retry, deadLetter, raw)
        {
            Location = map.At(file),
            KeyLocations = keys,
        };
    }

    private static List<FieldSchema>? ReadSchema(string file, YamlMappingNode map, DiagnosticSink sink, string where)
    {
        var node = map.Child("schema");
        if (node is null)
        {
            sink.Error(EventErrorCodes.MissingField, map.At(file), $"{where} has no schema",
                "add 'schema:' with one 'field: type' line per data field (types: " + string.Join(", ", FieldTypeNames) + ")");
            return null;
        }
        if (node is YamlScalarNode { Value: null or "" } or YamlMappingNode { Children.Count: 0 }) return [];
        if (node is not YamlMappingNode fields)
        {
            sink.Error(EventErrorCodes.WrongValueType, node.At(file), $"the schema of {where} must be a mapping of field names to types", "write e.g. 'schema:\\n  huntId: string'");
            return null;
        }
        var result = new List<FieldSchema>();
        foreach (var (name, keyNode, value) in fields.Entries())
        {
            if (!FieldPattern().IsMatch(name))
                sink.Error(EventErrorCodes.InvalidName, keyNode.At(file), $"field name '{name}' of {where} is not a valid JSON field name for Veltrix",
                    "use letters and digits, starting with a letter (camelCase)");
            string? typeText;
            var required = true;
            YamlNode typeNode = value;
            switch (value)
            {
                case YamlScalarNode scalar:
                    typeText = scalar.Value;
                    break;
                case YamlMappingNode spec:
                    Unknown(sink, file, spec, $"field '{name}' of {where}", FieldKeys);
                    typeNode = spec.Child("type") ?? spec;
                    typeText = spec.Scalar("type");
                    if (ReadBool(file, spec, "required", sink, $"field '{name}' of {where}") is { } r) required = r;
                    break;
                default:
                    sink.Error(EventErrorCodes.WrongValueType, value.At(file), $"field '{name}' of {where} must be a type name or a mapping", "write 'name: string' or 'name: {type: string, required: false}'");
                    continue;
            }
            if (string.IsNullOrWhiteSpace(typeText))
            {
                sink.Error(EventErrorCodes.MissingField, typeNode.At(file), $"field '{name}' of {where} has no type", $"add a type: {string.Join(", ", FieldTypeNames)}");
                continue;
            }
            if (!Enum.TryParse<FieldType>(typeText, ignoreCase: false, out var fieldType) && !TryLower(typeText, out fieldType))
            {
                sink.Error(EventErrorCodes.UnknownFieldType, typeNode.At(file), $"field '{name}' of {where} has unknown type '{typeText}'",
                    $"{DidYouMean.Hint(typeText, FieldTypeNames)}the types are: {string.Join(", ", FieldTypeNames)}");
                continue;
            }
            result.Add(new FieldSchema(name, fieldType, required) { Location = keyNode.At(file) });
        }
        return result;
    }

    private static bool TryLower(string text, out FieldType type)
    {
        var index = Array.IndexOf(FieldTypeNames, text);
        type = index >= 0 ? (FieldType)index : default;
        return index >= 0;
    }

    private static List<EventConsumer>? ReadConsumers(string file, YamlMappingNode map, DiagnosticSink sink, string where)
    {
        var node = map.Child("consumers");
        if (node is null or YamlScalarNode { Value: null or "" }) return node is null ? Missing() : [];
        if (node is not YamlSequenceNode list)
        {
            sink.Error(EventErrorCodes.WrongValueType, node.At(file), $"'consumers' of {where} must be a list", "write '- app: <app ID>' with 'route: /path' below it, one entry per consumer");
            return null;
        }
        var consumers = new List<EventConsumer>();
        foreach (var item in list.Children)
        {
            if (item is not YamlMappingNode consumer)
            {
                sink.Error(EventErrorCodes.WrongValueType, item.At(file), $"a consumer of {where} must be a mapping", "write '- app: <app ID>' with 'route: /path' below it");
                continue;
            }
            Unknown(sink, file, consumer, $"a consumer of {where}", ConsumerKeys);
            var app = RequiredScalar(file, consumer, "app", sink, $"a consumer of {where}", "add 'app: <app ID>' (the appID in dapr.yaml)");
            var route = RequiredScalar(file, consumer, "route", sink, $"a consumer of {where}", "add 'route: /events/<name>', the app path deliveries are POSTed to");
            if (route is not null && (!route.StartsWith('/') || route.Contains(' ', StringComparison.Ordinal)))
                sink.Error(EventErrorCodes.InvalidRoute, consumer.Child("route")!.At(file), $"route '{route}' of {where} is not an absolute path",
                    $"write it as '/{route.TrimStart('/').Replace(' ', '-')}' — a path that starts with '/' and has no spaces");
            BulkDelivery? bulk = null;
            if (consumer.Child("bulk") is { } bulkNode)
            {
                if (bulkNode is YamlMappingNode bulkMap)
                {
                    Unknown(sink, file, bulkMap, $"the bulk settings of a consumer of {where}", BulkKeys);
                    bulk = new BulkDelivery(PositiveInt(file, bulkMap, "maxMessages", sink, where) ?? 100, PositiveInt(file, bulkMap, "maxAwaitMs", sink, where) ?? 1000);
                }
                else if (bulkNode is YamlScalarNode { Value: "true" }) bulk = new BulkDelivery();
                else if (bulkNode is not YamlScalarNode { Value: "false" })
                    sink.Error(EventErrorCodes.WrongValueType, bulkNode.At(file), $"'bulk' of a consumer of {where} must be true, false or a mapping",
                        "write 'bulk: {maxMessages: 100, maxAwaitMs: 1000}'");
            }
            var concurrency = PositiveInt(file, consumer, "maxConcurrency", sink, where);
            if (app is not null && route is not null)
                consumers.Add(new EventConsumer(app, route, bulk, concurrency) { Location = consumer.At(file), AppLocation = consumer.Child("app")!.At(file) });
        }
        foreach (var twice in consumers.GroupBy(c => c.App).Where(g => g.Count() > 1))
            sink.Error(EventErrorCodes.AppListedTwice, twice.Last().AppLocation!, $"app '{twice.Key}' is listed twice as a consumer of {where}",
                "list each consumer app once; one app receives each event once per subscription", twice.First().AppLocation);
        return consumers;

        List<EventConsumer>? Missing()
        {
            sink.Error(EventErrorCodes.MissingField, map.At(file), $"{where} has no 'consumers'",
                "add 'consumers:' with '- app: <app ID>' and 'route: /path', or 'consumers: []' for an event nobody receives yet");
            return null;
        }
    }

    private static List<string>? AppList(string file, YamlMappingNode map, string key, DiagnosticSink sink, string where)
    {
        var node = map.Child(key);
        if (node is null)
        {
            sink.Error(EventErrorCodes.MissingField, map.At(file), $"{where} has no '{key}'", $"add '{key}: [<app ID>, …]'");
            return null;
        }
        if (node is YamlMappingNode)
        {
            sink.Error(EventErrorCodes.WrongValueType, node.At(file), $"'{key}' of {where} must be a list of app IDs", $"write '{key}: [gateway]'");
            return null;
        }
        // A list entry that is itself a list or a mapping names no app: say so rather than drop it.
        var notApps = (node as YamlSequenceNode)?.Children.Where(c => c is not YamlScalarNode).ToList() ?? [];
        foreach (var item in notApps)
            sink.Error(EventErrorCodes.WrongValueType, item.At(file), $"an entry of '{key}' of {where} must be an app ID, not a {(item is YamlSequenceNode ? "list" : "mapping")}",
                $"write '{key}: [gateway, hunt]'");
        if (notApps.Count > 0) return null;
        var apps = node.StringList().ToList();
        // Each entry's own position when the list is a YAML sequence: the finding is at the second, naming the first.
        var entries = (node as YamlSequenceNode)?.Children.OfType<YamlScalarNode>().ToList();
        foreach (var twice in apps.GroupBy(a => a).Where(g => g.Count() > 1))
        {
            var at = entries?.Where(e => e.Value == twice.Key).Select(e => e.At(file)).ToList();
            sink.Error(EventErrorCodes.AppListedTwice, at is { Count: > 1 } ? at[1] : node.At(file), $"app '{twice.Key}' is listed twice in '{key}' of {where}", "list each app once",
                at is { Count: > 1 } ? at[0] : null);
        }
        return apps;
    }

    private static Lane ReadLane(string file, YamlMappingNode map, DiagnosticSink sink, string where)
    {
        if (map.Child("lane") is not { } node) return Lane.Standard;
        var text = node.ScalarValue();
        var index = text is null ? -1 : Array.IndexOf(LaneNames, text);
        if (index >= 0) return (Lane)index;
        sink.Error(EventErrorCodes.UnknownLane, node.At(file), $"lane '{text}' of {where} is not a lane",
            $"{DidYouMean.Hint(text ?? "", LaneNames)}the lanes are: {string.Join(", ", LaneNames)}");
        return Lane.Standard;
    }

    private static TimeSpan? ReadTtl(string file, YamlMappingNode map, DiagnosticSink sink, string where)
    {
        if (map.Child("ttl") is not { } node) return null;
        if (GoDuration.TryParse(node.ScalarValue(), out var ttl) && ttl >= TimeSpan.FromSeconds(1)) return ttl;
        sink.Error(EventErrorCodes.InvalidDuration, node.At(file), $"ttl '{node.ScalarValue()}' of {where} is not a duration of at least one second",
            "write a duration such as '30s', '15m' or '1h'");
        return null;
    }

    private static DeadLetterSpec? ReadDeadLetter(string file, YamlMappingNode map, DiagnosticSink sink, string where)
    {
        if (map.Child("deadLetter") is not { } node) return null;
        if (node is not YamlMappingNode spec)
        {
            sink.Error(EventErrorCodes.WrongValueType, node.At(file), $"'deadLetter' of {where} must be a mapping with topic and owner",
                "write 'deadLetter: {topic: <topic>.dead, owner: <app ID>}'");
            return null;
        }
        Unknown(sink, file, spec, $"the dead letters of {where}", DeadLetterKeys);
        var topic = RequiredScalar(file, spec, "topic", sink, $"the dead letters of {where}", "add 'topic: <topic>.dead'");
        var owner = RequiredScalar(file, spec, "owner", sink, $"the dead letters of {where}",
            "add 'owner: <app ID>' — the app that reads, parks and replays what fails for good; a dead-letter topic nobody reads loses events");
        return topic is null || owner is null ? null : new DeadLetterSpec(topic, owner)
        {
            Location = spec.At(file), TopicLocation = spec.Child("topic")!.At(file), OwnerLocation = spec.Child("owner")!.At(file),
        };
    }

    private static int? PositiveInt(string file, YamlMappingNode map, string key, DiagnosticSink sink, string where)
    {
        if (map.Child(key) is not { } node) return null;
        if (int.TryParse(node.ScalarValue(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0) return value;
        sink.Error(EventErrorCodes.NotPositive, node.At(file), $"'{key}' of {where} must be a whole number above zero, not '{node.ScalarValue()}'",
            $"write e.g. '{key}: {(key == "maxAwaitMs" ? 1000 : key == "maxMessages" ? 100 : 4)}'");
        return null;
    }

    private static bool? ReadBool(string file, YamlMappingNode map, string key, DiagnosticSink sink, string where)
    {
        if (map.Child(key) is not { } node) return null;
        if (node.ScalarValue() is "true") return true;
        if (node.ScalarValue() is "false") return false;
        sink.Error(EventErrorCodes.WrongValueType, node.At(file), $"'{key}' of {where} must be true or false, not '{node.ScalarValue()}'", $"write '{key}: true' or '{key}: false'");
        return null;
    }

    private static string? RequiredScalar(string file, YamlMappingNode map, string key, DiagnosticSink sink, string where, string help)
    {
        var node = map.Child(key);
        if (node is null)
        {
            sink.Error(EventErrorCodes.MissingField, map.At(file), $"{where} has no '{key}'", help);
            return null;
        }
        return Scalar(file, node, key, sink, where);
    }

    /// <summary>
    /// A top-level key whose value must be a mapping: missing (or empty) is reported at the document (or at the key),
    /// any other shape at the value.
    /// </summary>
    private static YamlMappingNode? RequiredMapping(string file, RawResource raw, string key, DiagnosticSink sink, string help)
    {
        switch (raw.Root.Child(key))
        {
            case YamlMappingNode map:
                return map;
            case null:
                sink.Error(EventErrorCodes.MissingField, raw.Location, $"the configuration has no '{key}'", help);
                return null;
            case YamlScalarNode { Value: null or "" } when raw.Root.KeyNode(key) is { } keyNode:
                sink.Error(EventErrorCodes.MissingField, keyNode.At(file), $"'{key}' of the configuration is empty", help);
                return null;
            case var other:
                sink.Error(EventErrorCodes.WrongValueType, other.At(file), $"'{key}' of the configuration must be a mapping, not {Shape(other)}", help);
                return null;
        }
    }

    private static string Shape(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "a single value",
    };

    private static string? OptionalScalar(string file, YamlMappingNode map, string key, DiagnosticSink sink, string where) =>
        map.Child(key) is { } node ? Scalar(file, node, key, sink, where) : null;

    private static string? Scalar(string file, YamlNode node, string key, DiagnosticSink sink, string where)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } value }) return value;
        sink.Error(EventErrorCodes.WrongValueType, node.At(file), $"'{key}' of {where} must be a non-empty text value", $"write '{key}: <value>' on one line");
        return null;
    }

    private static void Unknown(DiagnosticSink sink, string file, YamlMappingNode map, string where, IReadOnlyCollection<string> allowed)
    {
        foreach (var (key, keyNode, _) in map.Entries())
        {
            if (allowed.Contains(key)) continue;
            sink.Error(EventErrorCodes.UnknownField, keyNode.At(file), $"unknown field '{key}' in {where}",
                $"{DidYouMean.Hint(key, allowed)}the fields allowed here are: {string.Join(", ", allowed)}");
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*$")]
    private static partial Regex TypePattern();

    [GeneratedRegex("^[a-z][a-z0-9.-]{0,62}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex TopicPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex FieldPattern();
}
