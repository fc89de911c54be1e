using System.Globalization;
using Veltrix.Resources.Cel;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Yaml;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Resources.Resiliency;

/// <summary>Reads a `Resiliency` document: spec.policies (timeouts, retries, circuit breakers) and spec.targets.</summary>
public static class ResiliencyReader
{
    private static readonly string[] TopLevel = ["apiVersion", "kind", "metadata", "spec", "scopes"];
    private static readonly string[] RetryFields = ["policy", "duration", "maxInterval", "maxRetries", "matching"];
    private static readonly string[] BreakerFields = ["maxRequests", "interval", "timeout", "trip"];
    private static readonly string[] DirectionFields = ["timeout", "retry", "circuitBreaker"];
    private static readonly string[] TargetKinds = ["apps", "actors", "components"];
    private static readonly string[] AppTargetFields = ["timeout", "retry", "circuitBreaker", "circuitBreakerCacheSize"];
    private static readonly string[] ActorTargetFields = ["timeout", "retry", "circuitBreaker", "circuitBreakerScope", "circuitBreakerCacheSize"];

    public static ResiliencyResource? Read(RawResource raw, DiagnosticSink sink)
    {
        var file = raw.File;
        sink.UnknownFields(file, raw.Root, "a Resiliency", TopLevel);
        var name = (raw.Root.Child("metadata") as YamlMappingNode)?.Scalar("name") ?? "";
        if (raw.Root.Child("spec") is not YamlMappingNode spec)
        {
            sink.Error(ErrorCodes.MissingField, raw.Root.ProblemAt(file, "spec"), $"resiliency '{name}' has no spec (a mapping)",
                "add 'spec:' with 'policies:' and 'targets:' (both belong under spec)");
            return null;
        }
        sink.UnknownFields(file, spec, $"the spec of resiliency '{name}'", ["policies", "targets"]);
        var errorsBefore = sink.All.Count(d => d.IsError);
        var policies = spec.Child("policies") as YamlMappingNode;
        var timeouts = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var retries = new Dictionary<string, RetrySpec>(StringComparer.Ordinal);
        var breakers = new Dictionary<string, CircuitBreakerSpec>(StringComparer.Ordinal);

        if (policies?.Child("timeouts") is YamlMappingNode timeoutMap)
            foreach (var (policy, _, value) in timeoutMap.Entries())
                if (Duration(file, value, $"timeout policy '{policy}'", sink) is { } timeout) timeouts[policy] = timeout;

        if (policies?.Child("retries") is YamlMappingNode retryMap)
            foreach (var (policy, keyNode, value) in retryMap.Entries())
                if (value is YamlMappingNode map && ReadRetry(file, policy, map, sink) is { } retry) retries[policy] = retry with { Location = keyNode.At(file) };

        if (policies?.Child("circuitBreakers") is YamlMappingNode breakerMap)
            foreach (var (policy, _, value) in breakerMap.Entries())
                if (value is YamlMappingNode map && ReadBreaker(file, policy, map, sink) is { } breaker) breakers[policy] = breaker;

        // A policy refused above (a bad maxRetries, …) is still one a target may name: it is reported once, where it is wrong.
        var declared = new[] { "timeouts", "retries", "circuitBreakers" }
            .ToDictionary(kind => kind, kind => (policies?.Child(kind) as YamlMappingNode)?.Entries().Select(e => e.Key).ToList() ?? []);
        var targets = new List<ComponentTarget>();
        var targetMap = spec.Child("targets") as YamlMappingNode;
        if (targetMap is not null) sink.UnknownFields(file, targetMap, $"the targets of resiliency '{name}'", TargetKinds);
        var appTargets = ReadNamedTargets(file, targetMap?.Child("apps"), "app", AppTargetFields, declared, sink);
        ReadNamedTargets(file, targetMap?.Child("actors"), "actor type", ActorTargetFields, declared, sink);
        if (targetMap?.Child("components") is YamlMappingNode components)
        {
            foreach (var (component, keyNode, value) in components.Entries())
            {
                if (value is not YamlMappingNode directions) continue;
                sink.UnknownFields(file, directions, $"resiliency target component '{component}'", ["inbound", "outbound"]);
                var inbound = ReadRefs(file, directions.Child("inbound"), declared, sink);
                var outbound = ReadRefs(file, directions.Child("outbound"), declared, sink);
                targets.Add(new ComponentTarget(component, inbound, outbound, keyNode.At(file)));
            }
        }

        return sink.All.Count(d => d.IsError) > errorsBefore
            ? null
            : new ResiliencyResource(name, raw.Root.Child("scopes").StringList(), timeouts, retries, breakers, targets, raw.Location)
            {
                AppTargets = appTargets,
                ScopesLocation = raw.Root.Child("scopes")?.At(file),
                ScopeLocations = raw.Root.Child("scopes").StringListLocations(file),
            };
    }

    private static RetrySpec? ReadRetry(string file, string name, YamlMappingNode map, DiagnosticSink sink)
    {
        sink.UnknownFields(file, map, $"retry policy '{name}'", RetryFields);
        var kindText = map.Scalar("policy") ?? "constant";
        RetryKind kind;
        if (kindText.Equals("constant", StringComparison.OrdinalIgnoreCase)) kind = RetryKind.Constant;
        else if (kindText.Equals("exponential", StringComparison.OrdinalIgnoreCase)) kind = RetryKind.Exponential;
        else
        {
            sink.Error(ErrorCodes.InvalidResiliencyPolicy, file, map.Child("policy")!, $"retry policy '{name}' has unknown policy '{kindText}'",
                "use 'policy: constant' or 'policy: exponential'");
            return null;
        }
        var duration = map.Child("duration") is { } d ? Duration(file, d, $"retry policy '{name}' duration", sink) : TimeSpan.FromSeconds(5);
        var maxInterval = map.Child("maxInterval") is { } mi ? Duration(file, mi, $"retry policy '{name}' maxInterval", sink) : TimeSpan.FromSeconds(60);
        var maxRetries = -1;
        if (map.Child("maxRetries") is { } mr && (!int.TryParse(mr.ScalarValue(), NumberStyles.Integer, CultureInfo.InvariantCulture, out maxRetries) || maxRetries < -1))
        {
            sink.Error(ErrorCodes.InvalidResiliencyPolicy, file, mr, $"retry policy '{name}' has maxRetries '{mr.ScalarValue()}'",
                "write a whole number: -1 retries forever, 0 never retries, N retries N times");
            return null;
        }
        StatusCodeSet? codes = null;
        if ((map.Child("matching") as YamlMappingNode)?.Child("httpStatusCodes") is { } codesNode
            && (!StatusCodeSet.TryParse(codesNode.ScalarValue() ?? "", out codes)))
        {
            sink.Error(ErrorCodes.InvalidResiliencyPolicy, file, codesNode, $"retry policy '{name}' has httpStatusCodes '{codesNode.ScalarValue()}'",
                "write codes and ranges between 100 and 599 separated by commas, e.g. \"429,500-599\"");
            return null;
        }
        return duration is null || maxInterval is null ? null : new RetrySpec(name, kind, duration.Value, maxInterval.Value, maxRetries, codes);
    }

    private static CircuitBreakerSpec? ReadBreaker(string file, string name, YamlMappingNode map, DiagnosticSink sink)
    {
        sink.UnknownFields(file, map, $"circuit breaker '{name}'", BreakerFields);
        var maxRequests = 1;
        if (map.Child("maxRequests") is { } mr && (!int.TryParse(mr.ScalarValue(), out maxRequests) || maxRequests < 1))
        {
            sink.Error(ErrorCodes.InvalidResiliencyPolicy, file, mr, $"circuit breaker '{name}' has maxRequests '{mr.ScalarValue()}'", "write a whole number of at least 1");
            return null;
        }
        var interval = map.Child("interval") is { } i ? Duration(file, i, $"circuit breaker '{name}' interval", sink) : TimeSpan.Zero;
        var timeout = map.Child("timeout") is { } t ? Duration(file, t, $"circuit breaker '{name}' timeout", sink) : TimeSpan.FromSeconds(60);
        var tripNode = map.Child("trip");
        var tripText = tripNode.ScalarValue() ?? "consecutiveFailures > 5";
        CelExpression trip;
        try
        {
            trip = CelExpression.Parse(tripText, CelDialect.CircuitBreakerTrip);
        }
        catch (CelSyntaxException e)
        {
            sink.Error(ErrorCodes.InvalidResiliencyPolicy, tripNode?.At(file) ?? map.At(file), $"circuit breaker '{name}' trip '{tripText}': {e.Message}", e.Help);
            return null;
        }
        return interval is null || timeout is null ? null : new CircuitBreakerSpec(name, maxRequests, interval.Value, timeout.Value, trip);
    }

    /// <summary>App targets (service invocation) and actor targets: one mapping of policy names per app ID or actor type.</summary>
    private static List<NamedTarget> ReadNamedTargets(string file, YamlNode? node, string what, string[] fields, Dictionary<string, List<string>> declared, DiagnosticSink sink)
    {
        var targets = new List<NamedTarget>();
        if (node is not YamlMappingNode map) return targets;
        foreach (var (name, keyNode, value) in map.Entries())
            if (ReadRefs(file, value, declared, sink, fields, $"resiliency target {what} '{name}'") is { } refs)
                targets.Add(new NamedTarget(name, refs, keyNode.At(file)));
        return targets;
    }

    private static PolicyRefs? ReadRefs(string file, YamlNode? node, Dictionary<string, List<string>> declared, DiagnosticSink sink,
        string[]? fields = null, string where = "a resiliency target")
    {
        if (node is not YamlMappingNode map) return null;
        sink.UnknownFields(file, map, where, fields ?? DirectionFields);
        var timeout = Reference(file, map, "timeout", declared["timeouts"], sink);
        var retry = Reference(file, map, "retry", declared["retries"], sink);
        var breaker = Reference(file, map, "circuitBreaker", declared["circuitBreakers"], sink);
        return new PolicyRefs(timeout, retry, breaker, map.At(file)) { RetryLocation = map.Child("retry")?.At(file) };
    }

    private static string? Reference(string file, YamlMappingNode map, string key, IEnumerable<string> known, DiagnosticSink sink)
    {
        var node = map.Child(key);
        if (node.ScalarValue() is not { Length: > 0 } name) return null;
        if (known.Contains(name)) return name;
        sink.Error(ErrorCodes.UnknownResiliencyPolicy, file, node!, $"{key} policy '{name}' is not defined under spec.policies",
            $"{DidYouMean.Hint(name, known)}defined {key} policies: {(known.Any() ? string.Join(", ", known) : "none")}");
        return null;
    }

    private static TimeSpan? Duration(string file, YamlNode node, string what, DiagnosticSink sink)
    {
        if (GoDuration.TryParse(node.ScalarValue(), out var value) && value >= TimeSpan.Zero) return value;
        var given = node is YamlScalarNode scalar ? $"'{scalar.Value}'" : "a mapping or a list (a template left unrendered?)";
        sink.Error(ErrorCodes.InvalidResiliencyPolicy, file, node, $"{what} is {given}, not a duration", "write a duration such as 500ms, 5s or 1m");
        return null;
    }
}
