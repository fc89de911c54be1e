namespace Veltrix.Testing;

/// <summary>
/// The RabbitMQ and PostgreSQL servers `scripts/servers.sh start` provides (scripts/test.sh sources its env file).
/// A test that needs one fails — it does not skip — when the variable is missing, and says how to get it.
/// </summary>
public static class TestServers
{
    private const string How = "run the tests through `bash scripts/test.sh`, or `bash scripts/servers.sh start` and `source` the env file it prints";

    /// <summary>amqp://guest:guest@127.0.0.1:5672/&lt;fresh vhost&gt;</summary>
    public static string RabbitMq => Environment.GetEnvironmentVariable("VELTRIX_TEST_RABBITMQ") is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"VELTRIX_TEST_RABBITMQ is not set, so there is no RabbitMQ for this test: {How}");

    /// <summary>True when servers.sh started the broker itself, so a test may restart it without disturbing anyone.</summary>
    public static bool RabbitMqIsOurs => Environment.GetEnvironmentVariable("VELTRIX_TEST_RABBITMQ_OWNED") == "1";

    /// <summary>Npgsql connection string: Host=127.0.0.1;Port=…;Username=postgres;Database=…</summary>
    public static string Postgres => Environment.GetEnvironmentVariable("VELTRIX_TEST_POSTGRES") is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"VELTRIX_TEST_POSTGRES is not set, so there is no PostgreSQL for this test: {How}");
}
