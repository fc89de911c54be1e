using Veltrix.Resources;
using Veltrix.Resources.Components;
using Veltrix.Sidecar.Components;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Startup;

/// <summary>The resources folders the repository ships load clean for the runner each is meant for.</summary>
public sealed class RepositoryComponentsTests
{
    [Fact]
    public void The_embedded_default_components_load_without_a_single_diagnostic()
    {
        var resources = ResourceLoader.Load([Folder("components")], ComponentRegistry.Support);
        Assert.Empty(resources.Diagnostics);
        Assert.Equal([("eventconfig", "state.sqlite"), ("pubsub", "pubsub.in-memory"), ("statestore", "state.sqlite")],
            resources.Components.Select(c => (c.Name, c.Type)).Order());
        Assert.Single(resources.Resiliencies);
    }

    [Fact]
    public void The_rabbitmq_and_postgresql_alternative_loads_clean_on_the_dev_sidecar_under_the_same_component_names()
    {
        var resources = ResourceLoader.Load([Folder("components.rabbitmq")], ComponentRegistry.Support);
        Assert.Empty(resources.Diagnostics);
        Assert.Equal([("eventconfig", "state.postgresql"), ("pubsub", "pubsub.rabbitmq"), ("statestore", "state.postgresql")],
            resources.Components.Select(c => (c.Name, c.Type)).Order());
        Assert.Single(resources.Resiliencies);
    }

    [Theory]
    [InlineData("components.redis", "pubsub.redis", "state.redis")]
    [InlineData("components.kafka", "pubsub.kafka", "state.etcd")]
    public void The_daprd_only_alternatives_have_only_real_metadata_and_are_refused_by_the_dev_sidecar_with_VX1004(string folder, string pubsub, string state)
    {
        var forDaprd = ResourceLoader.Load([Folder(folder)], ComponentSupport.Daprd);
        Assert.Empty(forDaprd.Diagnostics); // every key is one the real component reads, with a value of the right kind
        Assert.Equal([("eventconfig", state), ("pubsub", pubsub), ("statestore", state)], forDaprd.Components.Select(c => (c.Name, c.Type)).Order());

        var forDevSidecar = ResourceLoader.Load([Folder(folder)], ComponentRegistry.Support);
        Assert.Equal(["VX1004", "VX1004", "VX1004"], forDevSidecar.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void Checks_made_outside_the_sidecar_know_exactly_the_types_it_runs()
    {
        Assert.True(ComponentSupport.DevSidecar.SupportedTypes.SetEquals(ComponentRegistry.Support.SupportedTypes));
    }

    private static string Folder(string name) => Path.Combine(RepositoryLayout.Root, name);
}
