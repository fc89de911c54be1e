using System.Diagnostics;
using System.Globalization;
using Veltrix.Testing;

namespace Veltrix.Bench;

/// <summary>
/// Resident memory of every process of a run while a phase runs, once a second, from /proc/&lt;pid&gt;/status, in two parts:
/// RssAnon, the process's own memory (the GC heap, native allocations: where queued events and caches live), and RssFile,
/// pages of mapped files (the runtime's and the app's libraries, and the sidecar's SQLite database, which it reads through a
/// memory map bounded by its mmap_size); at the end also VmHWM, the most the process ever held. It answers whether memory
/// stays bounded under a load the system cannot take: a process whose queues or caches grew with the offered load would
/// show its own memory climbing from one quarter of the phase to the next, where a bounded one levels off.
/// </summary>
internal sealed class ProcessMemory : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, int> _processes;
    private readonly List<(long At, Dictionary<string, (long Anon, long File)> KiB)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Task _sampling;

    private ProcessMemory(Dictionary<string, int> processes)
    {
        _processes = processes;
        _sampling = Task.Run(SampleAsync);
    }

    /// <summary>
    /// Starts sampling the apps of <paramref name="system"/> and its sidecar. An app's pid is the `dotnet run` that started
    /// it; its memory is that of its child, the app itself (the sidecar is started directly and has no child).
    /// </summary>
    public static ProcessMemory Start(RunningSystem system)
    {
        var processes = system.Apps().Values.ToDictionary(app => app.AppId, app => ProcessCpu.WithChildren(app.Pid) is [var run, .. var children] ? children.LastOrDefault(run) : app.Pid);
        if (system.SidecarPid is { } sidecar) processes["sidecar"] = sidecar;
        return new ProcessMemory(processes);
    }

    /// <summary>
    /// One line per process: its own and its file-backed resident MiB at the phase's start and at the end of each of its four
    /// quarters, and its peak resident size since it started. Call it after disposing.
    /// </summary>
    public IEnumerable<string> Describe()
    {
        if (_samples.Count == 0) yield break;
        var last = _samples[^1].At;
        var quarters = Enumerable.Range(0, 5).Select(q => _samples.First(s => s.At >= _started + (last - _started) * q / 4)).ToList();
        foreach (var (name, pid) in _processes.OrderByDescending(p => _samples[^1].KiB.GetValueOrDefault(p.Key).Anon))
        {
            var own = string.Join(" → ", quarters.Select(s => MiB(s.KiB.GetValueOrDefault(name).Anon)));
            var files = string.Join(" → ", quarters.Select(s => MiB(s.KiB.GetValueOrDefault(name).File)));
            yield return Invariant($"{name,-12} own {own} MiB; mapped files {files} MiB; peak resident since start {MiB(Status(pid, "VmHWM:") is [var peak] ? peak : 0)} MiB");
        }
    }

    private async Task SampleAsync()
    {
        Sample();
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token)) Sample();
        }
        catch (OperationCanceledException)
        {
            // the phase is over
        }
    }

    private void Sample() =>
        _samples.Add((Stopwatch.GetTimestamp(), _processes.ToDictionary(p => p.Key, p => Status(p.Value, "RssAnon:", "RssFile:") is [var anon, var file] ? (anon, file) : (0L, 0L))));

    /// <summary>What <paramref name="pid"/> holds in memory now (VmRSS, kB); 0 if it has ended.</summary>
    public static long ResidentKiB(int pid) => Status(pid, "VmRSS:") is [var rss] ? rss : 0;

    /// <summary>kB fields of /proc/&lt;pid&gt;/status, in the order asked; null if the process has ended.</summary>
    private static long[]? Status(int pid, params string[] fields)
    {
        try
        {
            var values = new long[fields.Length];
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                for (var i = 0; i < fields.Length; i++)
                    if (line.StartsWith(fields[i], StringComparison.Ordinal))
                        values[i] = long.Parse(line.AsSpan(fields[i].Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            return values;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string MiB(long kib) => (kib / 1024).ToString("N0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        Sample();
        _stop.Dispose();
    }
}
