using Veltrix.Testing;

namespace Veltrix.Sdk.Conformance.Tests;

/// <summary>
/// The pub/sub and state components every conformance theory runs over. RabbitMQ and PostgreSQL come from
/// `scripts/servers.sh` (<see cref="TestServers"/>); each test gets its own table prefix or SQLite file.
/// </summary>
public static class Backends
{
    public const string PubSubName = "pubsub";
    public const string StoreName = "statestore";

    public static TheoryData<string> PubSubs => new("in-memory", "rabbitmq");

    public static TheoryData<string> StateStores => new("in-memory", "sqlite", "postgresql");

    public static string PubSub(string kind) => kind switch
    {
        "in-memory" => Yaml.InMemoryPubSub(PubSubName),
        "rabbitmq" => Yaml.RabbitMqPubSub(PubSubName),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown pub/sub backend"),
    };

    public static string State(string kind, ResourcesFolder folder) => kind switch
    {
        "in-memory" => Yaml.InMemoryState(StoreName),
        "sqlite" => Yaml.SqliteState(StoreName, Path.Combine(folder.Path, "state.db")),
        "postgresql" => Yaml.PostgresState(StoreName, $"conf_{Guid.NewGuid():N}"[..20] + "_"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown state backend"),
    };
}
