using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>One running treasure hunt shared by the end-to-end tests (starting it takes seconds; every test uses its own hunt).</summary>
public sealed class SystemFixture : IAsyncLifetime
{
    public RunningSystem System { get; private set; } = null!;

    public async ValueTask InitializeAsync() => System = await RunningSystem.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (System is not null) await System.DisposeAsync();
    }
}

[CollectionDefinition(nameof(SystemCollection))]
public sealed class SystemCollection : ICollectionFixture<SystemFixture>;
