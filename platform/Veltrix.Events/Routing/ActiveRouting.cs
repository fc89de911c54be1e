using Microsoft.Extensions.Logging;

namespace Veltrix.Events.Routing;

/// <summary>The routing table of the active version in this process; replaced atomically by the refresher.</summary>
public sealed partial class ActiveRouting(ILogger<ActiveRouting> logger)
{
    private RoutingTable? _current;

    /// <summary>The active table; throws until the configuration has been loaded at start-up.</summary>
    public RoutingTable Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("The event configuration is not loaded yet; call LoadEventConfigurationAsync at start-up.");

    public bool IsLoaded => Volatile.Read(ref _current) is not null;

    /// <summary>Every version this process has routed by, newest last (bounded: the last ten).</summary>
    public IReadOnlyList<string> Seen { get; private set; } = [];

    /// <summary>The versions whose topics this app subscribed to at start-up (see <see cref="ConfigurationSource.LoadSubscribedVersionsAsync"/>).</summary>
    public IReadOnlyList<RoutingTable> SubscribedVersions { get; set; } = [];

    public void Activate(RoutingTable table)
    {
        var previous = Interlocked.Exchange(ref _current, table);
        if (previous is not null && previous.Name == table.Name && previous.Version == table.Version) return;
        Seen = [.. Seen.TakeLast(9), table.Label];
        LogActivated(table.Label, previous?.Label ?? "none");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Routing events under {Version} (was {Previous})")]
    private partial void LogActivated(string version, string previous);
}
