using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// One running treasure hunt shared by the end-to-end tests of a collection (starting it takes seconds; every test
/// uses its own hunt). The suite runs once per resources folder: the only difference between the runs.
/// </summary>
public abstract class SystemFixture(SystemComponents components) : IAsyncLifetime
{
    public RunningSystem System { get; private set; } = null!;

    public SystemComponents Components => components;

    public async ValueTask InitializeAsync() => System = await RunningSystem.StartAsync(components: components);

    public async ValueTask DisposeAsync()
    {
        if (System is not null) await System.DisposeAsync();
    }
}

/// <summary>`components/`: in-memory pub/sub and SQLite state.</summary>
public sealed class EmbeddedSystemFixture() : SystemFixture(SystemComponents.Embedded);

/// <summary>`components.rabbitmq/`: RabbitMQ and PostgreSQL.</summary>
public sealed class RabbitMqSystemFixture() : SystemFixture(SystemComponents.RabbitMqAndPostgres);

[CollectionDefinition(nameof(EmbeddedSystem))]
public sealed class EmbeddedSystem : ICollectionFixture<EmbeddedSystemFixture>;

[CollectionDefinition(nameof(RabbitMqSystem))]
public sealed class RabbitMqSystem : ICollectionFixture<RabbitMqSystemFixture>;
