using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// One running treasure hunt shared by the end-to-end tests of a collection (starting it takes seconds; every test
/// uses its own hunt). The suite runs once per resources folder: the only difference between the runs.
/// </summary>
public abstract class SystemFixture(SystemComponents components, bool dashboard = false) : IAsyncLifetime
{
    public RunningSystem System { get; private set; } = null!;

    public SystemComponents Components => components;

    public async ValueTask InitializeAsync() => System = await RunningSystem.StartAsync(AspireTestingHost.Starter(dashboard), components);

    /// <summary>Aspire's application of the run (its services, resource commands, the dashboard's login URL).</summary>
    public AspireTestingHost Aspire => (AspireTestingHost)System.Host;

    public async ValueTask DisposeAsync()
    {
        if (System is not null) await System.DisposeAsync();
    }
}

/// <summary>`components/`: in-memory pub/sub and SQLite state; with the Aspire dashboard, which the browser tests read.</summary>
public sealed class EmbeddedSystemFixture() : SystemFixture(SystemComponents.Embedded, dashboard: true);

/// <summary>`components.rabbitmq/`: RabbitMQ and PostgreSQL.</summary>
public sealed class RabbitMqSystemFixture() : SystemFixture(SystemComponents.RabbitMqAndPostgres);

[CollectionDefinition(nameof(EmbeddedSystem))]
public sealed class EmbeddedSystem : ICollectionFixture<EmbeddedSystemFixture>;

[CollectionDefinition(nameof(RabbitMqSystem))]
public sealed class RabbitMqSystem : ICollectionFixture<RabbitMqSystemFixture>;
