using Veltrix.Events.Model;

namespace Veltrix.Events.Routing;

/// <summary>
/// One version of a configuration, ready to route by: immutable, swapped as a whole when another version is
/// activated, so every event is routed under exactly the version it read.
/// </summary>
public sealed class RoutingTable(EventConfiguration configuration, int version)
{
    private readonly Dictionary<string, EventDefinition> _byType = configuration.Events.ToDictionary(e => e.Type, StringComparer.Ordinal);

    public EventConfiguration Configuration { get; } = configuration;

    public string Name => Configuration.Name;

    public int Version { get; } = version;

    /// <summary>`name@version`, as logs and metrics show it.</summary>
    public string Label => $"{Name}@{Version}";

    public EventDefinition? Find(string type) => _byType.GetValueOrDefault(type);

    /// <summary>The event types <paramref name="appId"/> may publish under this version.</summary>
    public IEnumerable<EventDefinition> ProducedBy(string appId) => Configuration.Events.Where(e => e.Producers.Contains(appId, StringComparer.Ordinal));
}
