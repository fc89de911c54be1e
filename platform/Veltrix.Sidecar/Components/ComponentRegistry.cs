using Veltrix.Resources.Components;
using Veltrix.Sidecar.Components.PubSub;
using Veltrix.Sidecar.Components.PubSub.RabbitMq;
using Veltrix.Sidecar.Components.State;
using Veltrix.Sidecar.Components.State.Postgres;

namespace Veltrix.Sidecar.Components;

/// <summary>
/// The component types the dev sidecar can run. Supporting another broker or store is one class plus one line here;
/// its metadata keys live in <see cref="ComponentCatalog"/>, which `veltrix check` shares.
/// </summary>
public static class ComponentRegistry
{
    private static readonly Dictionary<string, Func<ComponentResource, ComponentContext, IComponent>> Factories = new()
    {
        ["pubsub.in-memory"] = (resource, context) => new InMemoryPubSub(resource, context),
        ["pubsub.rabbitmq"] = (resource, context) => new RabbitMqPubSub(resource, context),
        ["state.in-memory"] = (resource, context) => new InMemoryStateStore(resource, context),
        ["state.sqlite"] = (resource, context) => new SqliteStateStore(resource, context),
        ["state.postgresql"] = (resource, context) => new PostgresStateStore(resource, context),
    };

    public static ComponentSupport Support { get; } = new("the dev sidecar", Factories.Keys.ToHashSet());

    public static IComponent Create(ComponentResource resource, ComponentContext context) => Factories[resource.Type](resource, context);
}
