using Veltrix.Resources.Components;

namespace Veltrix.Sidecar.Components;

/// <summary>A loaded component: what the YAML declared plus the features /v1.0/metadata reports.</summary>
public interface IComponent : IAsyncDisposable
{
    ComponentResource Resource { get; }

    IReadOnlyList<string> Features { get; }

    /// <summary>Connects or creates what the component needs; a failure stops start-up with the component named.</summary>
    Task InitAsync(CancellationToken cancellationToken);
}
