using Veltrix.Resources;
using Veltrix.Sidecar.Components;
using Veltrix.Sidecar.Components.PubSub;
using Veltrix.Sidecar.Components.State;
using Veltrix.Sidecar.Hosting;

namespace Veltrix.Sidecar.Runtime;

/// <summary>Creates and initialises every component once, then gives each app the ones in its scope.</summary>
public static class ComponentLoader
{
    /// <summary>
    /// Initialises the components side by side (a start-up waits for the slowest server, not the sum of all), and
    /// when some fail reports every failure, one line each — the user learns of every server to start at once.
    /// </summary>
    public static async Task<(SidecarRuntime Runtime, IReadOnlyList<IComponent> Components)> LoadAsync(
        ResourceSet resources, SidecarOptions options, ComponentContext context, CancellationToken cancellationToken)
    {
        var components = resources.Components.Where(c => options.Apps.Any(a => c.AppliesTo(a.AppId)))
            .Select(resource => ComponentRegistry.Create(resource, context)).ToList();
        var failures = await Task.WhenAll(components.Select(async component =>
        {
            try
            {
                await component.InitAsync(cancellationToken);
                return null;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var resource = component.Resource;
                return $"{resource.Location}: component '{resource.Name}' ({resource.Type}) failed to initialise: {e.Message}";
            }
        }));
        if (failures.OfType<string>().ToList() is { Count: > 0 } failed)
        {
            foreach (var component in components) await component.DisposeAsync();
            throw new InvalidOperationException(failed.Count == 1 ? failed[0] : $"{failed.Count} components failed to initialise:\n" + string.Join('\n', failed));
        }

        var apps = options.Apps.Select(app =>
        {
            var visible = components.Where(c => c.Resource.AppliesTo(app.AppId)).ToList();
            return new AppRuntime(app,
                visible.OfType<IPubSub>().ToDictionary(c => c.Resource.Name, StringComparer.Ordinal),
                visible.OfType<IStateStore>().ToDictionary(c => c.Resource.Name, StringComparer.Ordinal));
        }).ToList();
        return (new SidecarRuntime(apps), components);
    }
}
