namespace Veltrix.Dapr.Client;

/// <summary>Concurrency and consistency for a state operation (Dapr SDK shape).</summary>
public sealed class StateOptions
{
    public ConsistencyMode? Consistency { get; set; }
    public ConcurrencyMode? Concurrency { get; set; }
}

/// <summary>How the store reads and acknowledges writes.</summary>
public enum ConsistencyMode
{
    Eventual,
    Strong,
}

/// <summary>
/// <see cref="FirstWrite"/>: a write needs the current ETag (and fails against an existing key without one);
/// <see cref="LastWrite"/>: writes without an ETag overwrite unconditionally.
/// </summary>
public enum ConcurrencyMode
{
    FirstWrite,
    LastWrite,
}
