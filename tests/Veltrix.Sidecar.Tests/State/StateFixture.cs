using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.State;

/// <summary>
/// One sidecar (no app) with an in-memory store, a SQLite store, a PostgreSQL store (its own table prefix on the test
/// server) and a store whose keys are not prefixed.
/// </summary>
public sealed class StateFixture : IAsyncLifetime
{
    private ResourcesFolder? _resources;

    public SidecarProcess Sidecar { get; private set; } = null!;
    public SidecarApi Api { get; private set; } = null!;
    public string SqliteFile { get; private set; } = "";
    public string PostgresTable { get; } = $"t{Guid.NewGuid():N}_state";

    public async ValueTask InitializeAsync()
    {
        _resources = new ResourcesFolder();
        SqliteFile = Path.Combine(_resources.Path, "data", "state.db");
        _resources.Write("components.yaml", string.Join("\n---\n", Yaml.InMemoryState("memory"), Yaml.SqliteState("sqlite", SqliteFile),
            Yaml.PostgresState("postgresql", PostgresTable[..^"state".Length]), """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: shared
            spec:
              type: state.in-memory
              version: v1
              metadata:
                - name: keyPrefix
                  value: none
            """));
        Sidecar = await SidecarProcess.StartForAppAsync("stateful", null, [_resources.Path]);
        Api = new SidecarApi(Sidecar.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Sidecar.DisposeAsync();
        _resources?.Dispose();
    }
}

[CollectionDefinition(nameof(StateCollection))]
public sealed class StateCollection : ICollectionFixture<StateFixture>;
