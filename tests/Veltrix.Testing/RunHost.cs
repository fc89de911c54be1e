namespace Veltrix.Testing;

/// <summary>
/// Where the AppHost of a <see cref="RunningSystem"/> lives: its own process, as a user starts it (the benchmark), or
/// inside the test process through Aspire's testing builder (the end-to-end tests). Either way AppHost runs the same
/// processes and writes the same run.json, so everything else a test does goes through the run's files and ports.
/// </summary>
public interface IRunHost : IAsyncDisposable
{
    /// <summary>AppHost has stopped: by itself (a failed start, its VX error in <see cref="Output"/>) or because it was told to.</summary>
    bool HasExited { get; }

    /// <summary>What AppHost printed so far.</summary>
    string Output { get; }
}

/// <summary>One AppHost start: its command line (without the program) and the environment variables it must see (null: unset).</summary>
public sealed record RunLaunch(IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?> Environment, string LogDir);

/// <summary>Starts AppHost for one run and returns once it runs (not once everything is healthy: <see cref="RunningSystem"/> waits for that).</summary>
public delegate Task<IRunHost> RunHostStarter(RunLaunch launch);
