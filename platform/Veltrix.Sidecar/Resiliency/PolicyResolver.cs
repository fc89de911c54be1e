using System.Collections.Concurrent;
using Veltrix.Resources.Resiliency;

namespace Veltrix.Sidecar.Resiliency;

/// <summary>
/// Finds the inbound pub/sub policy of an app's component: a named target first, then Dapr's default policy names
/// from most to least specific (DefaultPubsubComponentInbound…, DefaultComponentInbound…, DefaultComponent…, Default…).
/// Circuit breakers are shared per (app, component), as a breaker protects the app, not one subscription.
/// Service invocation uses Dapr's default app policy names (DefaultApp…, Default…) of the caller's resiliency
/// resources; named `targets.apps` entries are not part of the resources model, so they are not applied.
/// </summary>
public sealed class PolicyResolver(IReadOnlyList<ResiliencyResource> resiliencies, TimeProvider time)
{
    private static readonly string[] InboundScopes = ["PubsubComponentInbound", "ComponentInbound", "Component", ""];
    private static readonly string[] AppScopes = ["App", ""];
    private readonly ConcurrentDictionary<(string App, string Component), InboundPolicy> _cache = new();
    private readonly ConcurrentDictionary<(string Caller, string Target), InboundPolicy> _appCalls = new();

    public InboundPolicy PubSubInbound(string appId, string component) => _cache.GetOrAdd((appId, component), key => Build(key.App, key.Component));

    /// <summary>The policy for calls from one app to another (one circuit breaker per pair, as it protects the target).</summary>
    public InboundPolicy AppCall(string callerAppId, string targetAppId) => _appCalls.GetOrAdd((callerAppId, targetAppId), key =>
    {
        var applicable = resiliencies.Where(r => r.AppliesTo(key.Caller)).ToList();
        var retry = Default(applicable, "Retry", r => r.Retries, AppScopes);
        var timeout = Default(applicable, "Timeout", r => r.Timeouts.ToDictionary(p => p.Key, p => (TimeSpan?)p.Value), AppScopes);
        var breaker = Default(applicable, "CircuitBreaker", r => r.CircuitBreakers, AppScopes);
        return new InboundPolicy(retry, timeout, breaker is null ? null : new CircuitBreaker(breaker, time), time);
    });

    private InboundPolicy Build(string appId, string component)
    {
        var applicable = resiliencies.Where(r => r.AppliesTo(appId)).ToList();
        var target = applicable.SelectMany(r => r.ComponentTargets.Where(t => t.Component == component && t.Inbound is not null).Select(t => (r, t.Inbound!)))
            .FirstOrDefault();

        RetrySpec? retry = null;
        TimeSpan? timeout = null;
        CircuitBreakerSpec? breaker = null;
        if (target.r is { } owner)
        {
            if (target.Item2.Retry is { } r) retry = owner.Retries[r];
            if (target.Item2.Timeout is { } t) timeout = owner.Timeouts[t];
            if (target.Item2.CircuitBreaker is { } c) breaker = owner.CircuitBreakers[c];
        }
        retry ??= Default(applicable, "Retry", r => r.Retries);
        timeout ??= Default(applicable, "Timeout", r => r.Timeouts.ToDictionary(p => p.Key, p => (TimeSpan?)p.Value));
        breaker ??= Default(applicable, "CircuitBreaker", r => r.CircuitBreakers);
        return new InboundPolicy(retry, timeout, breaker is null ? null : new CircuitBreaker(breaker, time), time);
    }

    private static T? Default<T>(List<ResiliencyResource> applicable, string kind, Func<ResiliencyResource, IReadOnlyDictionary<string, T>> policies,
        string[]? scopes = null)
    {
        foreach (var scope in scopes ?? InboundScopes)
            foreach (var resiliency in applicable)
                if (policies(resiliency).TryGetValue($"Default{scope}{kind}Policy", out var policy)) return policy;
        return default;
    }
}
