using System.ComponentModel.DataAnnotations;

namespace Veltrix.Events;

/// <summary>`Events` section: where the configuration lives and how quickly a process follows an activation.</summary>
public sealed class EventsOptions
{
    public const string Section = "Events";

    /// <summary>The state store holding configuration versions (shared by every app: keyPrefix `name`).</summary>
    [Required]
    public string Store { get; set; } = Veltrix.Events.Store.ConfigurationStore.DefaultStoreName;

    /// <summary>Where the built-in configuration is read from when the store has none yet (copied next to every app).</summary>
    [Required]
    public string BuiltInPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "events");

    /// <summary>How often the active pointer is read again; the change event usually arrives sooner.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long start-up waits for the sidecar's state store before it gives up (VX5056).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The state store where a dead-letter owner parks dead letters.</summary>
    [Required]
    public string DeadLetterStore { get; set; } = "statestore";

    /// <summary>Parked dead letters kept per event type; parking one more drops the oldest (counted as evicted).</summary>
    [Range(1, 100_000)]
    public int DeadLetterRetention { get; set; } = 10_000;

    /// <summary>This app's ID (APP_ID, as dapr run, AppHost and the sidecar injector set it).</summary>
    [Required]
    public string AppId { get; set; } = Environment.GetEnvironmentVariable("APP_ID") ?? "";

    /// <summary>Concurrent deliveries per lane in one app: critical events keep their slots during a flood of bulk ones.</summary>
    [Range(1, 1024)]
    public int CriticalSlots { get; set; } = 16;

    [Range(1, 1024)]
    public int StandardSlots { get; set; } = 8;

    [Range(1, 1024)]
    public int BulkSlots { get; set; } = 2;
}
