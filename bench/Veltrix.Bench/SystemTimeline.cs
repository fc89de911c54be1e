using System.Diagnostics;
using System.Globalization;
using Veltrix.Testing;

namespace Veltrix.Bench;

/// <summary>
/// While a latency phase runs, every half second: how busy the machine's cores were, and how much CPU each process of
/// the run spent in its JIT's background thread (".NET Tiered Compilation"). Read from /proc. It answers what the
/// seconds with slow answers had that the other seconds did not: a machine near its limit, or a process compiling
/// (tiered compilation rejits a method after 30 calls, so code that runs every few seconds is compiled again minutes
/// after start, in every process at about the same time).
/// </summary>
internal sealed class SystemTimeline : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(500);
    private const string JitThreadPrefix = ".NET Tiered";

    private readonly Dictionary<string, int[]> _processes;
    private readonly List<Sample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    /// <summary>Over the half second that ended at <see cref="At"/> (a <see cref="Stopwatch"/> timestamp): the machine's busy share, and JIT CPU seconds per second by process.</summary>
    private sealed record Sample(long At, double Busy, Dictionary<string, double> Jit);

    private SystemTimeline(Dictionary<string, int[]> processes)
    {
        _processes = processes;
        _sampling = Task.Run(SampleAsync);
    }

    /// <summary>Starts sampling the apps of <paramref name="system"/> (each with its `dotnet run` children) and the sidecar.</summary>
    public static SystemTimeline Start(RunningSystem system)
    {
        var processes = system.Apps().Values.ToDictionary(app => app.AppId, app => ProcessCpu.WithChildren(app.Pid));
        if (system.SidecarPid is { } sidecar) processes["sidecar"] = ProcessCpu.WithChildren(sidecar);
        return new SystemTimeline(processes);
    }

    /// <summary>
    /// Per second of sends: the seconds with at least one answer over <paramref name="limitMs"/> against the others — the
    /// machine's mean busy share and the mean of each second's busiest half-second of JIT — and, for each slow second,
    /// the process whose JIT was busiest. Call it after disposing; <paramref name="origin"/> is the timestamp the sends' times count from.
    /// </summary>
    public string Describe(IEnumerable<(double SentAt, double Ms)> timeline, long origin, int seconds, double limitMs)
    {
        var slowSeconds = timeline.Where(t => t.Ms > limitMs).Select(t => Math.Min((int)t.SentAt, seconds - 1)).ToHashSet();
        var sampled = _samples.Select(s => (At: Stopwatch.GetElapsedTime(origin, s.At).TotalSeconds, s.Busy, s.Jit)).ToList();
        var bySecond = Enumerable.Range(0, seconds).Select(second =>
        {
            // A stall in [s, s + 1) slows the answers sent in it; the half-second samples ending in (s, s + 1] cover it.
            var samples = sampled.Where(s => s.At > second && s.At <= second + 1).ToList();
            var busiest = samples.SelectMany(s => s.Jit).OrderByDescending(j => j.Value).FirstOrDefault();
            return (Second: second, Slow: slowSeconds.Contains(second), Samples: samples.Count,
                Busy: samples.Count == 0 ? 0 : samples.Average(s => s.Busy),
                Jit: samples.Count == 0 ? 0 : samples.Max(s => s.Jit.Values.Sum()), JitProcess: busiest.Key, JitPeak: busiest.Value);
        }).Where(s => s.Samples > 0).ToList();
        string Mean(bool slow)
        {
            var group = bySecond.Where(s => s.Slow == slow).ToList();
            return group.Count == 0 ? "none" : Invariant($"{group.Count} s, machine {100 * group.Average(s => s.Busy):F0} % busy, JIT {1000 * group.Average(s => s.Jit):F0} ms/s");
        }
        var each = bySecond.Where(s => s.Slow && s.JitPeak >= 0.1).Select(s => Invariant($"{s.Second}: {s.JitProcess} {1000 * s.JitPeak:F0} ms/s")).ToList();
        return Invariant($"seconds with an answer over {limitMs:N0} ms: {Mean(true)}; other seconds: {Mean(false)}")
            + (each.Count == 0 ? "" : "; JIT ≥ 100 ms/s in a slow second: " + string.Join(", ", each));
    }

    private async Task SampleAsync()
    {
        var previousMachine = MachineTicks();
        var previousJit = _processes.ToDictionary(p => p.Key, p => JitTicks(p.Value));
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var machine = MachineTicks();
                var jit = _processes.ToDictionary(p => p.Key, p => JitTicks(p.Value));
                var total = machine.Total - previousMachine.Total;
                var busy = total <= 0 ? 0 : 1 - (double)(machine.Idle - previousMachine.Idle) / total;
                // A JIT thread that ends between samples takes its ticks with it: a negative difference counts as none.
                var byProcess = jit.ToDictionary(j => j.Key, j => Math.Max(0, j.Value - previousJit[j.Key]) / 100.0 / Every.TotalSeconds);
                _samples.Add(new Sample(Stopwatch.GetTimestamp(), busy, byProcess));
                (previousMachine, previousJit) = (machine, jit);
            }
        }
        catch (OperationCanceledException)
        {
            // the phase is over
        }
    }

    /// <summary>All cores' ticks and their idle ticks (idle + iowait), from the first line of /proc/stat.</summary>
    private static (long Total, long Idle) MachineTicks()
    {
        using var reader = new StreamReader("/proc/stat");
        var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return (fields.Sum(), fields[3] + fields[4]);
    }

    /// <summary>User + system ticks of the JIT background threads of <paramref name="pids"/>.</summary>
    private static long JitTicks(int[] pids) => pids.Sum(pid => ProcessCpu.ThreadTicks(pid, JitThreadPrefix));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}
