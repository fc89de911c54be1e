using Dapr.Client;
using Veltrix.Events.Checks;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Control.Configurations;

/// <summary>
/// What control checks an applied configuration against: the components its sidecar has loaded (names and types, from
/// the metadata API — the same on the dev sidecar and daprd). Scopes, metadata and dapr.yaml are not visible from
/// here; `veltrix check` covers those before apply.
/// </summary>
public sealed class SidecarCheckContext(DaprClient dapr)
{
    public async Task<CheckContext> ReadAsync(CancellationToken cancellationToken)
    {
        var metadata = await dapr.GetMetadataAsync(cancellationToken);
        var components = metadata.Components
            .Select(c => new ComponentResource(c.Name, c.Type, c.Version, [], [], SourceLocation.Start("sidecar metadata")))
            .ToList();
        return new CheckContext(components, null, [], null);
    }
}
