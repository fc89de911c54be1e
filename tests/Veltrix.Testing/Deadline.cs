namespace Veltrix.Testing;

/// <summary>
/// Tokens that cancel after a bound: every wait on something outside the test (a workflow finishing, a process
/// exiting) ends, so a hang fails its test instead of the whole run.
/// </summary>
public static class Deadline
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(60);

    /// <summary>Cancelled after <paramref name="timeout"/> (60 s when not given). The source is left to the GC: a timer, no handles.</summary>
    public static CancellationToken After(TimeSpan? timeout = null) => new CancellationTokenSource(timeout ?? Default).Token;
}
