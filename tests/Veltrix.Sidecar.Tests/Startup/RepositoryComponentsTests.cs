using Veltrix.Resources;
using Veltrix.Sidecar.Components;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Startup;

public sealed class RepositoryComponentsTests
{
    [Fact]
    public void The_embedded_default_components_load_without_a_single_diagnostic()
    {
        var resources = ResourceLoader.Load([Path.Combine(RepositoryLayout.Root, "components")], ComponentRegistry.Support);
        Assert.Empty(resources.Diagnostics);
        Assert.Equal(["pubsub.in-memory", "state.sqlite"], resources.Components.Select(c => c.Type).Order());
        Assert.Single(resources.Resiliencies);
    }
}
