using Veltrix.Resources.Components;
using Veltrix.Resources.Resiliency;
using Veltrix.Resources.Subscriptions;

namespace Veltrix.Events.Checks;

/// <summary>Where the configuration will run: the dev sidecar (one process serves every app) or daprd (one per app).</summary>
public enum RuntimeTarget
{
    DevSidecar,
    Daprd,
}

/// <summary>
/// What an EventConfiguration is checked against. Null means "not known here" and switches the checks that need it
/// off: the control service knows components from its sidecar's metadata but not dapr.yaml; `veltrix check` knows all.
/// </summary>
public sealed record CheckContext(
    IReadOnlyList<ComponentResource>? Components,
    IReadOnlyList<ResiliencyResource>? Resiliencies,
    IReadOnlyList<SubscriptionResource> Subscriptions,
    IReadOnlyList<string>? Apps,
    RuntimeTarget Target = RuntimeTarget.DevSidecar)
{
    public static CheckContext Standalone { get; } = new(null, null, [], null);

    /// <summary>The retry policy a resiliency target gives deliveries from <paramref name="pubsub"/> (its inbound direction), if any.</summary>
    public RetrySpec? InboundRetry(string pubsub)
    {
        if (Resiliencies is not { } resiliencies) return null;
        var name = resiliencies.SelectMany(r => r.ComponentTargets).Where(t => t.Component == pubsub).Select(t => t.Inbound?.Retry).FirstOrDefault(r => r is not null);
        return name is null ? null : resiliencies.SelectMany(r => r.Retries.Values).FirstOrDefault(p => p.Name == name);
    }
}
