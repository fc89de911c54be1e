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
/// Goodput under overload: how many answers per second the gateway still accepts when it is offered ten times what it
/// can take, against the peak it reaches with a few well-behaved clients, in the same run.
/// <list type="number">
/// <item>Peak: <c>--clients</c> closed-loop clients that resend what was refused after a backoff (HuntBenchmark's
/// client), for <c>--seconds</c>; accepted events/s.</item>
/// <item>Overload: <c>--factor</c> × that rate offered open loop — a request of <c>--batch</c> events every tick whatever
/// the answers, like a flood of clients that do not back off — for as long; nothing refused is resent. Accepted events/s,
/// and how the rest was refused (429 before parsing, refused entries inside a 202, 503), and any 5xx.</item>
/// </list>
/// Then the leaderboard must show exactly what was accepted in each phase: nothing accepted lost, nothing counted twice.
/// </summary>
internal static class OverloadBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Arg(args, "--seconds", 20);
        var clients = Arg(args, "--clients", 2);
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

        // 1. Peak: a few clients that back off and resend.
        const int PeakCapacity = 10_000; // events/s the pool of distinct answers is sized for
        var peakHunt = await CreateHuntAsync(http, system, "peak");
        var peakCount = PeakCapacity * seconds;
        var peakTokens = await JoinAsync(http, system, peakHunt, peakCount);
        var next = -1;
        var peakAccepted = 0;
        var peakClock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int b;
            while (peakClock.Elapsed.TotalSeconds < seconds && (b = Interlocked.Increment(ref next)) * batch < peakCount)
            {
                await SubmitAsync(http, gateway, Enumerable.Range(b * batch, batch).Select(i => Event(peakHunt, i, peakCount, peakTokens)).ToList());
                Interlocked.Add(ref peakAccepted, batch);
            }
        }));
        var peakRate = peakAccepted / peakClock.Elapsed.TotalSeconds;
        await WaitForTotalAsync(http, system, peakHunt, peakAccepted);

        // 2. Overload: factor × the peak, open loop.
        var offeredRate = peakRate * factor;
        var floodHunt = await CreateHuntAsync(http, system, "flood");
        var floodCount = (int)(offeredRate * seconds) + batch;
        var floodTokens = await JoinAsync(http, system, floodHunt, floodCount);
        var answers = new ConcurrentDictionary<string, int>();
        var refusalMs = new ConcurrentBag<double>();
        var floodAccepted = 0;
        var notSent = 0;
        var outstanding = 0;
        const int MaxOutstanding = 1_024; // the load tool's own bound: past it a tick's request is not sent (reported)
        var cpuBefore = ProcessCpu.Snapshot(system);
        var sends = new List<Task>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        for (var tick = 0; clock.Elapsed.TotalSeconds < seconds; tick++)
        {
            var due = TimeSpan.FromMilliseconds(tick * 10);
            if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed);
            var owed = (int)(offeredRate * clock.Elapsed.TotalSeconds) - sent;
            for (; owed >= batch && sent + batch <= floodCount; owed -= batch, sent += batch)
            {
                if (Volatile.Read(ref outstanding) >= MaxOutstanding)
                {
                    notSent += batch;
                    continue;
                }
                var first = sent;
                Interlocked.Increment(ref outstanding);
                sends.Add(Task.Run(async () =>
                {
                    try
                    {
                        var start = Stopwatch.GetTimestamp();
                        var body = "[" + string.Join(',', Enumerable.Range(first, batch).Select(i => Event(floodHunt, i, floodCount, floodTokens))) + "]";
                        using var response = await http.PostAsync(gateway, new StringContent(body, Encoding.UTF8, "application/json"));
                        var status = (int)response.StatusCode;
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            var result = await response.Content.ReadFromJsonAsync<JsonElement>();
                            var accepted = result.GetProperty("accepted").GetInt32();
                            Interlocked.Add(ref floodAccepted, accepted);
                            answers.AddOrUpdate(accepted == batch ? "202, all accepted" : "202, part refused", 1, (_, n) => n + 1);
                        }
                        else
                        {
                            if (status == 429) refusalMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                            var retryAfter = response.Headers.RetryAfter is null ? "" : ", Retry-After";
                            answers.AddOrUpdate($"{status}{retryAfter}", 1, (_, n) => n + 1);
                        }
                    }
                    catch (HttpRequestException e)
                    {
                        answers.AddOrUpdate($"no answer ({e.HttpRequestError})", 1, (_, n) => n + 1);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref outstanding);
                    }
                }));
            }
        }
        await Task.WhenAll(sends);
        var floodSeconds = clock.Elapsed.TotalSeconds;
        var cpu = ProcessCpu.Snapshot(system).Minus(cpuBefore);
        var floodRate = floodAccepted / floodSeconds;
        var drain = Stopwatch.StartNew();
        await WaitForTotalAsync(http, system, floodHunt, floodAccepted);
        var exact = await TotalAsync(http, system, floodHunt) == floodAccepted && await TotalAsync(http, system, peakHunt) == peakAccepted;

        Console.WriteLine();
        Console.WriteLine($"Veltrix overload benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {configuration} build");
        Console.WriteLine();
        Console.WriteLine("| phase | offered | accepted events/s | ratio to peak |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine(Invariant($"| peak: {clients} clients that back off and resend, {seconds} s | as fast as accepted | {peakRate:N0} | 1.00× |"));
        Console.WriteLine(Invariant($"| overload: open loop, batches of {batch}, {seconds} s | {offeredRate:N0} events/s ({factor}× peak) | {floodRate:N0} | {floodRate / peakRate:F2}× |"));
        Console.WriteLine();
        Console.WriteLine("Answers during the overload (requests):");
        foreach (var (answer, count) in answers.OrderBy(a => a.Key, StringComparer.Ordinal)) Console.WriteLine(Invariant($"  {answer,-22} {count,8:N0}"));
        if (notSent > 0) Console.WriteLine(Invariant($"  not sent: the load tool had {MaxOutstanding} requests outstanding ({notSent:N0} events)"));
        var sorted = refusalMs.Order().ToArray();
        if (sorted.Length > 0) Console.WriteLine(Invariant($"  429 answered in p50 {Percentile(sorted, 50):F1} ms, p99 {Percentile(sorted, 99):F1} ms"));
        Console.WriteLine(Invariant($"  the accepted events reached the leaderboard {drain.Elapsed.TotalSeconds:F1} s after the flood; totals exact: {(exact ? "yes" : "NO")}"));
        Console.WriteLine();
        Console.WriteLine("CPU seconds per process during the overload:");
        foreach (var (name, cpuSeconds) in cpu.OrderByDescending(c => c.Value)) Console.WriteLine(Invariant($"  {name,-12} {cpuSeconds,6:F2} s"));
        return exact && !answers.Keys.Any(a => a.StartsWith('5') && !a.StartsWith("503", StringComparison.Ordinal)) ? 0 : 1;
    }
}
