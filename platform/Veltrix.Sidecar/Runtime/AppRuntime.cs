using System.Collections.Concurrent;
using Veltrix.Sidecar.Components.PubSub;
using Veltrix.Sidecar.Components.State;
using Veltrix.Sidecar.Delivery;
using Veltrix.Sidecar.Hosting;
using Veltrix.Sidecar.Subscriptions;

namespace Veltrix.Sidecar.Runtime;

/// <summary>
/// Everything the sidecar holds for one app ID: the components in its scope, the channel to the app, its active
/// subscriptions and whether it is ready. One process serves one or several of these, one HTTP port each.
/// </summary>
public sealed class AppRuntime(AppOptions options, IReadOnlyDictionary<string, IPubSub> pubSubs, IReadOnlyDictionary<string, IStateStore> stateStores)
{
    private volatile string? _notReadyReason = options.AppPort is null ? null : "the app's subscriptions are not loaded yet";

    public AppOptions Options => options;
    public string AppId => options.AppId;
    public IReadOnlyDictionary<string, IPubSub> PubSubs => pubSubs;
    public IReadOnlyDictionary<string, IStateStore> StateStores => stateStores;
    public AppChannel? Channel { get; set; }
    public IReadOnlyList<ActiveSubscription> Subscriptions { get; set; } = [];
    public ConcurrentDictionary<string, string> ExtendedMetadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Null when ready (components loaded, and for an app with a port: its subscriptions are active).</summary>
    public string? NotReadyReason => _notReadyReason;

    public void MarkReady() => _notReadyReason = null;

    public void MarkNotReady(string reason) => _notReadyReason = reason;
}
