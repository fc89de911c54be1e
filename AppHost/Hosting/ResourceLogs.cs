using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Veltrix.AppHost.Console;
using Veltrix.AppHost.Run;

namespace Veltrix.AppHost.Hosting;

/// <summary>
/// Every resource's console output, as DCP captures it, to `<log-dir>/<name>.log` and to AppHost's console with a
/// coloured `name | ` prefix — the dashboard shows the same lines, but a terminal and a file are what a failed CI run
/// leaves behind. The last lines of each are kept for the VX messages that need them.
/// </summary>
internal sealed class ResourceLogs(PreparedRun run, ResourceLoggerService loggers) : IHostedService
{
    private const int TailLength = 20;
    private readonly ConcurrentDictionary<string, Follower> _followers = new();
    private readonly int _width = run.Plan.Apps.Select(a => a.AppId.Length + (run.Daprd is null ? 0 : "-daprd".Length)).Append("sidecar".Length).Max();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Nothing to do: Aspire's orchestrator stops the resources after this service has stopped (hosted services stop
    /// in reverse order), and the lines they write while stopping ("… stopping gracefully") are worth keeping. The
    /// followers end with the process; every line is flushed as it is written.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Starts following one instance (DCP's resource id) of a resource, once.</summary>
    public void Follow(string name, string resourceId)
    {
        var follower = _followers.GetOrAdd(name, n =>
            new Follower(Path.Combine(run.Plan.LogDir, n + ".log"), Terminal.Paint(n.PadRight(_width) + " |", Terminal.Colour(_followers.Count))));
        if (follower.ResourceIds.TryAdd(resourceId, true)) _ = FollowAsync(follower, resourceId);
    }

    public IReadOnlyList<string> Tail(string name) => _followers.TryGetValue(name, out var follower) ? follower.Tail() : [];

    public string LogFile(string name) => Path.Combine(run.Plan.LogDir, name + ".log");

    private async Task FollowAsync(Follower follower, string resourceId)
    {
        try
        {
            await foreach (var batch in loggers.WatchAsync(resourceId))
                foreach (var line in batch)
                    follower.Write(WithoutTimestamp(line.Content));
        }
        catch (OperationCanceledException)
        {
            // AppHost is stopping
        }
    }

    /// <summary>DCP stamps each captured line with an ISO-8601 time; the apps' own log lines carry theirs.</summary>
    private static string WithoutTimestamp(string line) =>
        line.Length > 28 && line[4] == '-' && line[10] == 'T' && line.IndexOf("Z ", StringComparison.Ordinal) is var end and > 18 and < 36
            ? line[(end + 2)..]
            : line;

    private sealed class Follower(string file, string prefix)
    {
        private readonly Lock _gate = new();
        private readonly Queue<string> _tail = new();

        // Opened at the first line: a resource that never printed anything leaves no file.
        private StreamWriter? _file;

        public ConcurrentDictionary<string, bool> ResourceIds { get; } = new();

        public void Write(string line)
        {
            lock (_gate)
            {
                _file ??= new StreamWriter(PrivateFiles.OpenWrite(file, append: false)) { AutoFlush = true };
                _file.WriteLine(line);
                _tail.Enqueue(line);
                if (_tail.Count > TailLength) _tail.Dequeue();
            }
            Terminal.Raw($"{prefix} {line}");
        }

        public IReadOnlyList<string> Tail()
        {
            lock (_gate) return [.. _tail];
        }
    }
}
