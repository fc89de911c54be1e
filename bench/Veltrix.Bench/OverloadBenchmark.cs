using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Veltrix.Testing;
using static Veltrix.Bench.HuntBenchmark;

namespace Veltrix.Bench;

/// <summary>
/// Goodput against offered load: answers per second that reach the leaderboard when the gateway is offered more and
/// more, up to ten times what it can take, in one run.
/// <list type="number">
/// <item>Closed loop: <c>--clients</c> clients that resend what was refused after a backoff (HuntBenchmark's client), for
/// <c>--seconds</c>; its accepted rate R is the unit of offered load.</item>
/// <item>Open loop at 1×, 2×, 5× and <c>--factor</c> × R — a request of <c>--batch</c> events every tick whatever the
/// answers, like a flood of clients that do not back off; nothing refused is resent.</item>
/// </list>
/// Goodput is end to end: what a phase got accepted ÷ the time from its start until the leaderboard shows all of it (a
/// rate of acceptance alone would count the broker's queue filling up). The peak is the best goodput of any phase; the
/// verdict is goodput at the highest load ÷ the peak. The leaderboard must show exactly what each phase got accepted:
/// nothing accepted lost, nothing counted twice.
/// </summary>
internal static class OverloadBenchmark
{
    internal sealed record Phase(string Name, double Offered, int Accepted, double AcceptedRate, double Goodput, IReadOnlyDictionary<string, int> Answers,
        double Refusal429P50, Dictionary<string, double> Cpu, bool Exact)
    {
        /// <summary>CPU seconds per process from the phase's start until the leaderboard showed all it accepted.</summary>
        public Dictionary<string, double> CpuUntilShown { get; init; } = Cpu;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Arg(args, "--seconds", 15);
        var clients = Arg(args, "--clients", 4);
        var factor = Arg(args, "--factor", 10);
        var batch = Arg(args, "--batch", 500);
        var configuration = args.Contains("--debug") ? "Debug" : "Release";

        await using var system = await RunningSystem.StartAsync(AppHostProcess.Starter(configuration), configuration: configuration);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { Timeout = TimeSpan.FromSeconds(60) };
        var gateway = new Uri(system.Url("gateway"), "/v1/events");

        var warm = await CreateHuntAsync(http, system, "warm-up");
        var warmTokens = await JoinAsync(http, system, warm, 2_000);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(c => SubmitAsync(http, gateway,
            Enumerable.Range(c * 500, 500).Select(i => Event(warm, i, 2_000, warmTokens)).ToList())));
        await WaitForTotalAsync(http, system, warm, 2_000);

        var phases = new List<Phase> { await ClosedLoopAsync(http, system, gateway, clients, seconds, batch) };
        var unit = phases[0].AcceptedRate;
        foreach (var multiple in new[] { 1, 2, 5, factor }.Distinct().Order())
            phases.Add(await OpenLoopAsync(http, system, gateway, $"open loop, {multiple}× R", unit * multiple, seconds, batch));
        var peak = phases.Max(p => p.Goodput);

        Console.WriteLine();
        Console.WriteLine($"Veltrix overload benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {configuration} build");
        Console.WriteLine();
        Console.WriteLine($"| phase ({seconds} s each, batches of {batch}) | offered events/s | accepted events/s | goodput: end to end events/s | ÷ peak | 429s | 429 p50 ms | gateway CPU s | sidecar CPU s | exact |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var p in phases)
            Console.WriteLine(Invariant($"| {p.Name} | {(double.IsNaN(p.Offered) ? "closed loop" : p.Offered.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} | {p.AcceptedRate:N0} | {p.Goodput:N0} | {p.Goodput / peak:F2}× | {(double.IsNaN(p.Offered) ? "—" : p.Answers.Where(a => a.Key.StartsWith("429", StringComparison.Ordinal)).Sum(a => a.Value).ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} | {(double.IsNaN(p.Refusal429P50) ? "—" : p.Refusal429P50.ToString("F1", System.Globalization.CultureInfo.InvariantCulture))} | {p.Cpu.GetValueOrDefault("gateway"):F2} | {p.Cpu.GetValueOrDefault("sidecar"):F2} | {(p.Exact ? "yes" : "NO")} |"));
        var last = phases[^1];
        Console.WriteLine();
        Console.WriteLine(Invariant($"At {factor}× the closed loop's rate, goodput is {last.Goodput / peak:F2}× the peak ({last.Goodput:N0} of {peak:N0} events/s)."));
        Console.WriteLine($"Answers at {factor}×: {string.Join(", ", last.Answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} ×{a.Value}"))}");
        Console.WriteLine($"CPU seconds per process at {factor}×: {string.Join(", ", last.Cpu.OrderByDescending(c => c.Value).Select(c => Invariant($"{c.Key} {c.Value:F2}")))}");
        var fivexx = phases.SelectMany(p => p.Answers.Keys).Any(a => a.StartsWith('5'));
        return phases.All(p => p.Exact) && !fivexx ? 0 : 1;
    }

    /// <summary>Clients that back off and resend until <paramref name="seconds"/> have passed.</summary>
    private static async Task<Phase> ClosedLoopAsync(HttpClient http, RunningSystem system, Uri gateway, int clients, int seconds, int batch)
    {
        const int MostPerSecond = 10_000; // the pool of distinct answers is sized for this rate
        var hunt = await CreateHuntAsync(http, system, "closed-loop");
        var count = MostPerSecond * seconds;
        var tokens = await JoinAsync(http, system, hunt, count);
        var next = -1;
        var accepted = 0;
        var cpuBefore = ProcessCpu.Snapshot(system);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int b;
            while (clock.Elapsed.TotalSeconds < seconds && (b = Interlocked.Increment(ref next)) * batch < count)
            {
                await SubmitAsync(http, gateway, Enumerable.Range(b * batch, batch).Select(i => Event(hunt, i, count, tokens)).ToList());
                Interlocked.Add(ref accepted, batch);
            }
        }));
        var acceptedRate = accepted / clock.Elapsed.TotalSeconds;
        var cpu = ProcessCpu.Snapshot(system).Minus(cpuBefore);
        await WaitForTotalAsync(http, system, hunt, accepted);
        var goodput = accepted / clock.Elapsed.TotalSeconds;
        return new Phase($"closed loop, {clients} clients (R)", double.NaN, accepted, acceptedRate, goodput, new Dictionary<string, int>(), double.NaN, cpu,
            await TotalAsync(http, system, hunt) == accepted);
    }

    /// <summary><paramref name="rate"/> events/s offered for <paramref name="seconds"/>, whatever the answers.</summary>
    internal static async Task<Phase> OpenLoopAsync(HttpClient http, RunningSystem system, Uri gateway, string name, double rate, int seconds, int batch)
    {
        const int MaxOutstanding = 1_024; // the load tool's own bound: past it a tick's request is not sent (reported)
        var hunt = await CreateHuntAsync(http, system, name);
        var count = (int)(rate * seconds) + batch;
        var tokens = await JoinAsync(http, system, hunt, count);
        var answers = new ConcurrentDictionary<string, int>();
        var refusalMs = new ConcurrentBag<double>();
        var accepted = 0;
        var cpuBefore = ProcessCpu.Snapshot(system);
        var clock = Stopwatch.StartNew();
        var skipped = await OpenLoop.OfferAsync(rate, TimeSpan.FromSeconds(seconds), batch, async first =>
        {
            try
            {
                var start = Stopwatch.GetTimestamp();
                var body = "[" + string.Join(',', Enumerable.Range(first, batch).Select(i => Event(hunt, i, count, tokens))) + "]";
                using var response = await http.PostAsync(gateway, new StringContent(body, Encoding.UTF8, "application/json"));
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    var result = await response.Content.ReadFromJsonAsync<JsonElement>();
                    var taken = result.GetProperty("accepted").GetInt32();
                    Interlocked.Add(ref accepted, taken);
                    answers.AddOrUpdate(taken == batch ? "202, all accepted" : "202, part refused", 1, (_, n) => n + 1);
                }
                else
                {
                    if (response.StatusCode == HttpStatusCode.TooManyRequests) refusalMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    answers.AddOrUpdate($"{(int)response.StatusCode}{(response.Headers.RetryAfter is null ? "" : " with Retry-After")}", 1, (_, n) => n + 1);
                }
            }
            catch (HttpRequestException e)
            {
                answers.AddOrUpdate($"no answer ({e.HttpRequestError})", 1, (_, n) => n + 1);
            }
        }, limit: count, maxOutstanding: MaxOutstanding);
        if (skipped > 0) answers["not sent (load tool at its bound)"] = skipped;
        var acceptedRate = accepted / clock.Elapsed.TotalSeconds;
        var cpu = ProcessCpu.Snapshot(system).Minus(cpuBefore);
        await WaitForTotalAsync(http, system, hunt, accepted);
        var goodput = accepted / clock.Elapsed.TotalSeconds;
        var cpuUntilShown = ProcessCpu.Snapshot(system).Minus(cpuBefore);
        var sorted = refusalMs.Order().ToArray();
        return new Phase(name, rate, accepted, acceptedRate, goodput, answers, sorted.Length == 0 ? double.NaN : Percentile(sorted, 50), cpu,
            await TotalAsync(http, system, hunt) == accepted) { CpuUntilShown = cpuUntilShown };
    }
}
