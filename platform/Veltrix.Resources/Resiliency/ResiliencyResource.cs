using Veltrix.Resources.Cel;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Resources.Resiliency;

public enum RetryKind
{
    Constant,
    Exponential,
}

/// <summary>A set of HTTP status codes written as "429,500-599" (Dapr's `matching.httpStatusCodes`).</summary>
public sealed record StatusCodeSet(IReadOnlyList<(int From, int To)> Ranges)
{
    public bool Contains(int status) => Ranges.Any(r => status >= r.From && status <= r.To);

    public static bool TryParse(string text, out StatusCodeSet set)
    {
        var ranges = new List<(int, int)>();
        set = new StatusCodeSet(ranges);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is < 1 or > 2 || !int.TryParse(bounds[0], out var from)) return false;
            var to = from;
            if (bounds.Length == 2 && !int.TryParse(bounds[1], out to)) return false;
            if (from < 100 || to > 599 || from > to) return false;
            ranges.Add((from, to));
        }
        return ranges.Count > 0;
    }
}

/// <summary>`maxRetries: -1` (the default) retries forever; 0 never retries.</summary>
public sealed record RetrySpec(string Name, RetryKind Kind, TimeSpan Duration, TimeSpan MaxInterval, int MaxRetries, StatusCodeSet? HttpStatusCodes)
{
    /// <summary>Where the policy is defined (its name under spec.policies.retries).</summary>
    public SourceLocation? Location { get; init; }
}

public sealed record CircuitBreakerSpec(string Name, int MaxRequests, TimeSpan Interval, TimeSpan Timeout, CelExpression Trip);

/// <summary>The policy names one target direction uses.</summary>
public sealed record PolicyRefs(string? Timeout, string? Retry, string? CircuitBreaker, SourceLocation Location)
{
    /// <summary>Where the retry policy's name is written.</summary>
    public SourceLocation? RetryLocation { get; init; }
}

/// <summary>`spec.targets.apps.&lt;appId&gt;` (service invocation of that app) or `spec.targets.actors.&lt;type&gt;`.</summary>
public sealed record NamedTarget(string Name, PolicyRefs Policies, SourceLocation Location);

public sealed record ComponentTarget(string Component, PolicyRefs? Inbound, PolicyRefs? Outbound, SourceLocation Location);

/// <summary>A Dapr `Resiliency` resource: named policies and the targets that use them.</summary>
public sealed record ResiliencyResource(
    string Name,
    IReadOnlyList<string> Scopes,
    IReadOnlyDictionary<string, TimeSpan> Timeouts,
    IReadOnlyDictionary<string, RetrySpec> Retries,
    IReadOnlyDictionary<string, CircuitBreakerSpec> CircuitBreakers,
    IReadOnlyList<ComponentTarget> ComponentTargets,
    SourceLocation Location)
{
    /// <summary>Targets for service invocation of an app (`spec.targets.apps`).</summary>
    public IReadOnlyList<NamedTarget> AppTargets { get; init; } = [];

    /// <summary>Where `scopes:` is written (null when the resiliency is not scoped).</summary>
    public SourceLocation? ScopesLocation { get; init; }

    public IReadOnlyDictionary<string, SourceLocation> ScopeLocations { get; init; } = new Dictionary<string, SourceLocation>();

    public bool AppliesTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);
}
