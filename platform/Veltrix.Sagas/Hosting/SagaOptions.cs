namespace Veltrix.Sagas;

/// <summary>How the engine runs. Every queue and list it keeps has a bound here.</summary>
public sealed class SagaOptions
{
    /// <summary>The Dapr state store holding instance documents and the index.</summary>
    public string StateStoreName { get; set; } = "statestore";

    /// <summary>Names this process in leases; unique per process start.</summary>
    public string WorkerId { get; set; } = $"{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>How long a claim keeps other workers away (at least a step's timeout plus <see cref="LeaseGrace"/>).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Added to a step's timeout for its lease, so a slow record does not look like a lost worker.</summary>
    public TimeSpan LeaseGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the sweeper reads the index for due instances.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Index shards (keys <c>saga-index:0..N-1</c>).</summary>
    public int IndexShards { get; set; } = 8;

    /// <summary>Instances ticked at the same time by one process.</summary>
    public int MaxConcurrentTicks { get; set; } = 16;

    /// <summary>Bound of the in-process queue of instances to tick; when full, the sweeper picks the rest up.</summary>
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>Unconsumed events an instance may buffer; more are refused (<see cref="SagaErrorCodes.InboxFull"/>).</summary>
    public int MaxInboxEvents { get; set; } = 32;

    /// <summary>Consumed event ids remembered per instance for de-duplication.</summary>
    public int MaxConsumedEventIds { get; set; } = 64;

    /// <summary>Nodes one tick may advance before it yields the worker to other instances.</summary>
    public int MaxNodesPerTick { get; set; } = 64;

    /// <summary>Compare-and-swap attempts before an operation gives up on a contended document.</summary>
    public int MaxCasAttempts { get; set; } = 25;
}
