using Veltrix.Resources;
using Veltrix.Sidecar.Components;
using Veltrix.Sidecar.Components.PubSub;
using Veltrix.Sidecar.Components.State;
using Veltrix.Sidecar.Hosting;

namespace Veltrix.Sidecar.Runtime;

/// <summary>Creates and initialises every component once, then gives each app the ones in its scope.</summary>
public static class ComponentLoader
{
    public static async Task<(SidecarRuntime Runtime, IReadOnlyList<IComponent> Components)> LoadAsync(
        ResourceSet resources, SidecarOptions options, ComponentContext context, CancellationToken cancellationToken)
    {
        var components = new List<IComponent>();
        try
        {
            foreach (var resource in resources.Components.Where(c => options.Apps.Any(a => c.AppliesTo(a.AppId))))
            {
                var component = ComponentRegistry.Create(resource, context);
                components.Add(component);
                try
                {
                    await component.InitAsync(cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new InvalidOperationException($"{resource.Location}: component '{resource.Name}' ({resource.Type}) failed to initialise: {e.Message}", e);
                }
            }
        }
        catch
        {
            foreach (var component in components) await component.DisposeAsync();
            throw;
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
