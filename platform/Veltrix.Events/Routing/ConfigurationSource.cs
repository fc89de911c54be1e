using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Dapr;
using Grpc.Core;
using Veltrix.Events.Checks;
using Veltrix.Events.Model;
using Veltrix.Events.Reading;
using Veltrix.Events.Store;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Yaml;

namespace Veltrix.Events.Routing;

/// <summary>
/// Reads configuration versions into routing tables: the active one, the built-in one (events/*.yaml next to the
/// app) that seeds an empty store as version 1, and the versions whose topics this app subscribes to.
/// </summary>
public sealed partial class ConfigurationSource(ConfigurationStore store, IOptions<EventsOptions> options, TimeProvider time, ILogger<ConfigurationSource> logger)
{
    private const int HistoryKept = 20;

    public ConfigurationStore Store => store;

    /// <summary>Reads the built-in configuration; a broken one stops the app with every diagnostic.</summary>
    public (EventConfiguration Configuration, string Yaml) ReadBuiltIn()
    {
        var folder = options.Value.BuiltInPath;
        var files = Directory.Exists(folder) ? ResourceFileReader.FindFiles(folder) : [];
        if (files.Count != 1)
            throw new DiagnosticException([new Diagnostic(EventErrorCodes.NoEventConfiguration, DiagnosticSeverity.Error, SourceLocation.Start(folder),
                $"expected exactly one EventConfiguration file in '{folder}', found {files.Count}", "keep the system's configuration in one file under events/")]);
        var yaml = File.ReadAllText(files[0]);
        return (Parse(files[0], yaml), yaml);
    }

    public static EventConfiguration Parse(string file, string yaml)
    {
        var diagnostics = new List<Diagnostic>();
        var configurations = EventConfigurationReader.ReadText(file, yaml, diagnostics);
        if (diagnostics.Any(d => d.IsError) || configurations.Count != 1)
            throw new DiagnosticException(diagnostics.Count > 0 ? diagnostics : [new Diagnostic(EventErrorCodes.NoEventConfiguration, DiagnosticSeverity.Error,
                SourceLocation.Start(file), "the file holds no EventConfiguration", "write one 'kind: EventConfiguration' document")]);
        return configurations[0];
    }

    /// <summary>
    /// The active routing table, and the pointer it was read from. An empty store is seeded with the built-in configuration as version 1 and activated —
    /// first-write, so when several apps start at once they all end up on the same version. Waits for the sidecar.
    /// </summary>
    public async Task<(RoutingTable Table, ActivePointer Pointer)> LoadActiveAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Value.StartupTimeout;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (pointer, _) = await store.GetActiveAsync(cancellationToken);
                if (pointer is null) pointer = await SeedAsync(cancellationToken);
                return (await LoadAsync(pointer.Name, pointer.Version, cancellationToken), pointer);
            }
            catch (Exception e) when (e is HttpRequestException or DaprException or RpcException && time.GetUtcNow() < deadline)
            {
                if (attempt == 1 || attempt % 10 == 0) LogWaiting(e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or DaprException or RpcException)
            {
                throw new DiagnosticException([new Diagnostic(EventErrorCodes.StoreUnavailable, DiagnosticSeverity.Error, SourceLocation.Start(store.StoreName),
                    $"the event configuration store '{store.StoreName}' could not be read within {options.Value.StartupTimeout.TotalSeconds:0}s: {e.Message}",
                    $"start the sidecar with a state component named '{store.StoreName}' (keyPrefix: name), as components/eventconfig.yaml does")]);
            }
        }
    }

    public async Task<RoutingTable> LoadAsync(string name, int version, CancellationToken cancellationToken)
    {
        var stored = await store.GetVersionAsync(name, version, cancellationToken)
            ?? throw new InvalidOperationException($"{EventErrorCodes.UnknownVersion}: the active pointer names {name}@{version}, which is not stored");
        return new RoutingTable(Parse($"{name}@{version}", stored.Yaml), version);
    }

    /// <summary>
    /// The versions this app subscribes for: the active one (read from <paramref name="pointer"/>), the one active before
    /// it, and every version applied after the active one — so an activation within them needs no new subscription (Dapr
    /// reads subscriptions at start-up only).
    /// </summary>
    public async Task<IReadOnlyList<RoutingTable>> LoadSubscribedVersionsAsync(RoutingTable active, ActivePointer pointer, CancellationToken cancellationToken)
    {
        var tables = new List<RoutingTable> { active };
        if (pointer.History.FirstOrDefault() is { } previous && (previous.Name != active.Name || previous.Version != active.Version))
            tables.Add(await LoadAsync(previous.Name, previous.Version, cancellationToken));
        var (index, _) = await store.GetIndexAsync(active.Name, cancellationToken);
        foreach (var newer in index?.Versions.Where(v => v.Version > active.Version) ?? [])
            tables.Add(await LoadAsync(active.Name, newer.Version, cancellationToken));
        return tables;
    }

    private async Task<ActivePointer> SeedAsync(CancellationToken cancellationToken)
    {
        var (configuration, yaml) = ReadBuiltIn();
        var (stored, _) = await store.AppendAsync(configuration.Name, yaml, configuration.Events.Count, time, cancellationToken);
        var pointer = new ActivePointer(stored.Name, stored.Version, time.GetUtcNow(), []);
        if (await store.TrySetActiveAsync(pointer, "", cancellationToken)) LogSeeded(pointer.Name, pointer.Version);
        var (active, _) = await store.GetActiveAsync(cancellationToken);
        return active ?? pointer;
    }

    /// <summary>The pointer after activating <paramref name="name"/>@<paramref name="version"/> on top of <paramref name="current"/>.</summary>
    public ActivePointer Next(ActivePointer? current, string name, int version) =>
        new(name, version, time.GetUtcNow(),
            current is null ? [] : [new ActivationRecord(current.Name, current.Version, current.ActivatedAt), .. current.History.Take(HistoryKept - 1)]);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for the event configuration store: {Reason}")]
    private partial void LogWaiting(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The configuration store was empty: seeded and activated the built-in {Name}@{Version}")]
    private partial void LogSeeded(string name, int version);
}
