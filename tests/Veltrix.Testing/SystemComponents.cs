using System.Text.RegularExpressions;

namespace Veltrix.Testing;

/// <summary>
/// Which of the repository's resources folders a run of the whole system uses — the embedded default or the
/// RabbitMQ + PostgreSQL alternative — copied as it is and then made private to that run (its own SQLite file, or
/// its own RabbitMQ vhost and PostgreSQL tables), so runs never see each other's events or state.
/// </summary>
public abstract partial class SystemComponents
{
    public static SystemComponents Embedded { get; } = new EmbeddedDefault();
    public static SystemComponents RabbitMqAndPostgres { get; } = new RabbitMqPostgres();

    /// <summary>The folder under the repository root, e.g. `components`.</summary>
    public abstract string Folder { get; }

    /// <summary>Copies the folder into <paramref name="copy"/> and points it at this run's own storage; the result undoes that.</summary>
    public Task<IAsyncDisposable> CopyIntoAsync(ResourcesFolder copy)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryLayout.Root, Folder), "*.yaml"))
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        return MakePrivateAsync(copy);
    }

    protected abstract Task<IAsyncDisposable> MakePrivateAsync(ResourcesFolder copy);

    public override string ToString() => Folder;

    /// <summary>Replaces one metadata value in a copied file; fails loudly if the file no longer has it.</summary>
    protected static void Replace(ResourcesFolder copy, string file, Regex value, string replacement)
    {
        var path = Path.Combine(copy.Path, file);
        var yaml = File.ReadAllText(path);
        if (!value.IsMatch(yaml)) throw new InvalidOperationException($"{Path.GetFileName(path)} no longer has {value}: update {nameof(SystemComponents)}");
        File.WriteAllText(path, value.Replace(yaml, $"value: \"{replacement}\"", 1));
    }

    [GeneratedRegex("value: \"\\.veltrix/[^\"]*\"")]
    private static partial Regex SqliteFile();

    private sealed class EmbeddedDefault : SystemComponents
    {
        public override string Folder => "components";

        protected override Task<IAsyncDisposable> MakePrivateAsync(ResourcesFolder copy)
        {
            Replace(copy, "statestore.yaml", SqliteFile(), Path.Combine(copy.Path, "state.db"));
            Replace(copy, "eventconfig.yaml", SqliteFile(), Path.Combine(copy.Path, "eventconfig.db"));
            return Task.FromResult<IAsyncDisposable>(new Nothing());
        }
    }

    private sealed partial class RabbitMqPostgres : SystemComponents
    {
        public override string Folder => "components.rabbitmq";

        protected override async Task<IAsyncDisposable> MakePrivateAsync(ResourcesFolder copy)
        {
            var run = $"e2e{Guid.NewGuid():N}"[..15];
            var vhost = await RabbitMqVhost.CreateAsync(run);
            Replace(copy, "pubsub.yaml", AmqpUrl(), vhost.Url);
            Replace(copy, "statestore.yaml", PostgresConnection(), TestServers.Postgres);
            Replace(copy, "statestore.yaml", TablePrefix(), run + "_");
            Replace(copy, "eventconfig.yaml", PostgresConnection(), TestServers.Postgres);
            Replace(copy, "eventconfig.yaml", ConfigTablePrefix(), run + "_config_");
            return vhost;
        }

        [GeneratedRegex("value: \"amqp://[^\"]*\"")]
        private static partial Regex AmqpUrl();

        [GeneratedRegex("value: \"host=[^\"]*\"")]
        private static partial Regex PostgresConnection();

        [GeneratedRegex("value: \"veltrix_\"")]
        private static partial Regex TablePrefix();

        [GeneratedRegex("value: \"veltrix_config_\"")]
        private static partial Regex ConfigTablePrefix();
    }

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>A vhost of its own on the test broker (as scripts/servers.sh makes one per test run), deleted afterwards.</summary>
public sealed class RabbitMqVhost : IAsyncDisposable
{
    private RabbitMqVhost(string name, string url)
    {
        Name = name;
        Url = url;
    }

    public string Name { get; }

    /// <summary>amqp://user:password@host:port/&lt;vhost&gt;, with the test broker's address and credentials.</summary>
    public string Url { get; }

    public static async Task<RabbitMqVhost> CreateAsync(string name)
    {
        var broker = new UriBuilder(TestServers.RabbitMq) { Path = "/" + name };
        await Rabbitmqctl.RunAsync("add_vhost", name);
        await Rabbitmqctl.RunAsync("set_permissions", "-p", name, Uri.UnescapeDataString(broker.UserName), ".*", ".*", ".*");
        return new RabbitMqVhost(name, broker.Uri.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Rabbitmqctl.RunAsync("delete_vhost", Name);
        }
        catch (InvalidOperationException)
        {
            // the broker is already down; scripts/servers.sh stop removes what is left
        }
    }
}
