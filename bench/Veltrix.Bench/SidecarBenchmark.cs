using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Veltrix.Testing;

namespace Veltrix.Bench;

/// <summary>
/// Publish → dev sidecar (in-memory pub/sub) → subscriber app, next to a baseline measured in the same run: the same
/// subscriber receiving the same CloudEvents by direct HTTP from this load tool.
/// </summary>
internal static class SidecarBenchmark
{
    private static long Refused;

    public static async Task<int> RunAsync(string[] args)
    {
        var events = Arg("--events", 20_000);
        var bulkEvents = Arg("--bulk-events", 200_000);
        var concurrency = Arg("--concurrency", 16);
        const int BatchSize = 100;
        const int BulkPublishers = 4;
        const int LatencySamples = 2_000;

        await using var subscriber = await SubscriberApp.StartAsync(FreePort.Next());
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        await using var sidecar = await SidecarProcess.StartForAppAsync("bench", subscriber.Port, [resources.Path]);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(30) };
        var sidecarUri = sidecar.BaseAddress;
        var appUri = new Uri($"http://127.0.0.1:{subscriber.Port}");
        var rows = new List<string>();
        var rssBefore = Rss(sidecar.ProcessId);

        // Warm both paths so JIT and connection set-up are not measured.
        await SinglePhaseAsync(2_000, concurrency, direct: false);
        await SinglePhaseAsync(2_000, concurrency, direct: true);

        // A. One publish call at a time: the per-hop cost of the sidecar, as daprd's published publish p50 measures it.
        var hop = await HopLatencyAsync(direct: false);
        var hopBaseline = await HopLatencyAsync(direct: true);
        rows.Add(Row("publish call, sequential (p50/p99 of the HTTP call)", LatencySamples / hop.Seconds, hop.P50, hop.P99,
            LatencySamples / hopBaseline.Seconds, hopBaseline.P50, hopBaseline.P99));

        // B. Single events, many publishers: end to end (send → subscriber).
        var single = await SinglePhaseAsync(events, concurrency, direct: false);
        var singleBaseline = await SinglePhaseAsync(events, concurrency, direct: true);
        rows.Add(Row($"single events, {concurrency} publishers (send → app)", events / single.Seconds, single.P50, single.P99,
            events / singleBaseline.Seconds, singleBaseline.P50, singleBaseline.P99));

        // C. Bulk publish (100 per call) → bulk subscribe (100 per delivery).
        var bulk = await BulkPhaseAsync(bulkEvents, direct: false);
        var bulkBaseline = await BulkPhaseAsync(bulkEvents, direct: true);
        rows.Add(Row($"bulk {BatchSize}/call, {BulkPublishers} publishers (send → app)", bulkEvents / bulk.Seconds, bulk.P50, bulk.P99,
            bulkEvents / bulkBaseline.Seconds, bulkBaseline.P50, bulkBaseline.P99));

        var rssAfter = Rss(sidecar.ProcessId);
        Console.WriteLine();
        Console.WriteLine($"Veltrix dev sidecar benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| scenario | sidecar events/s | p50 ms | p99 ms | baseline events/s | p50 ms | p99 ms | throughput ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine($"per-hop p50 overhead of the sidecar (A: publish p50 − direct POST p50): {hop.P50 - hopBaseline.P50:F3} ms");
        Console.WriteLine($"publishes refused by the queue bound and retried (VX2010): {Refused}");
        Console.WriteLine($"sidecar RSS: {rssBefore / 1024} MiB after warm-up, {rssAfter / 1024} MiB after {events + bulkEvents:N0} events");
        return 0;

        async Task<Result> HopLatencyAsync(bool direct)
        {
            subscriber.Reset(LatencySamples);
            var recorder = new LatencyRecorder(LatencySamples);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < LatencySamples; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await SendSingleAsync(i, direct);
                recorder.Record(start);
            }
            var seconds = clock.Elapsed.TotalSeconds;
            await WaitForAsync(LatencySamples);
            return new Result(seconds, recorder.PercentileMs(50), recorder.PercentileMs(99));
        }

        async Task<Result> SinglePhaseAsync(int count, int workers, bool direct)
        {
            subscriber.Reset(count);
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count) await SendSingleAsync(i, direct);
            }));
            await WaitForAsync(count);
            return new Result(clock.Elapsed.TotalSeconds, subscriber.Latency.PercentileMs(50), subscriber.Latency.PercentileMs(99));
        }

        async Task<Result> BulkPhaseAsync(int count, bool direct)
        {
            subscriber.Reset(count);
            var batches = count / BatchSize;
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, BulkPublishers).Select(async _ =>
            {
                int b;
                while ((b = Interlocked.Increment(ref next)) < batches) await SendBatchAsync(b, direct);
            }));
            await WaitForAsync(batches * BatchSize);
            return new Result(clock.Elapsed.TotalSeconds, subscriber.Latency.PercentileMs(50), subscriber.Latency.PercentileMs(99));
        }

        async Task SendSingleAsync(int sequence, bool direct)
        {
            while (true)
            {
                var data = $$"""{"seq":{{sequence}},"sent":{{Stopwatch.GetTimestamp()}}}""";
                using var content = direct
                    ? new StringContent($$"""{"id":"{{Guid.NewGuid()}}","source":"bench","type":"com.dapr.event.sent","specversion":"1.0","datacontenttype":"application/json","topic":"single","pubsubname":"pubsub","data":{{data}}}""",
                        Encoding.UTF8, "application/cloudevents+json")
                    : new StringContent(data, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(direct ? new Uri(appUri, "/single") : new Uri(sidecarUri, "/v1.0/publish/pubsub/single"), content);
                if (response.IsSuccessStatusCode) return;
                if (response.StatusCode != HttpStatusCode.InternalServerError) throw new InvalidOperationException($"unexpected {response.StatusCode}");
                Interlocked.Increment(ref Refused); // the queue bound said "not now": back off and publish again
                await Task.Delay(1);
            }
        }

        async Task SendBatchAsync(int batch, bool direct)
        {
            var entries = new Dictionary<string, string>(BatchSize);
            for (var i = 0; i < BatchSize; i++)
            {
                var data = $$"""{"seq":{{batch * BatchSize + i}},"sent":{{Stopwatch.GetTimestamp()}}}""";
                entries[i.ToString(CultureInfo.InvariantCulture)] = direct
                    ? $$"""{"entryId":"{{i}}","event":{"id":"{{Guid.NewGuid()}}","source":"bench","type":"com.dapr.event.sent","specversion":"1.0","datacontenttype":"application/json","data":{{data}}},"contentType":"application/cloudevents+json"}"""
                    : $$"""{"entryId":"{{i}}","event":{{data}},"contentType":"application/json"}""";
            }
            while (entries.Count > 0)
            {
                var body = direct
                    ? """{"id":"b","type":"com.dapr.event.sent.bulk","topic":"bulk","pubsubname":"pubsub","entries":[""" + string.Join(',', entries.Values) + "]}"
                    : "[" + string.Join(',', entries.Values) + "]";
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(direct ? new Uri(appUri, "/bulk") : new Uri(sidecarUri, "/v1.0-alpha1/publish/bulk/pubsub/bulk"), content);
                if (response.IsSuccessStatusCode) return;
                if (response.StatusCode != HttpStatusCode.InternalServerError) throw new InvalidOperationException($"unexpected {response.StatusCode}");
                // The queue bound refused some entries: resend exactly those, as a well-behaved publisher does.
                using var failed = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var refused = failed.RootElement.GetProperty("failedEntries").EnumerateArray().Select(e => e.GetProperty("entryId").GetString()!).ToHashSet();
                foreach (var accepted in entries.Keys.Where(k => !refused.Contains(k)).ToList()) entries.Remove(accepted);
                Interlocked.Add(ref Refused, refused.Count);
                await Task.Delay(1);
            }
        }

        async Task WaitForAsync(long expected)
        {
            var deadline = Stopwatch.StartNew();
            while (subscriber.Received < expected)
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException($"only {subscriber.Received} of {expected} events arrived");
                await Task.Delay(1);
            }
        }

        static long Rss(int pid)
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)) ?? "VmRSS: 0 kB";
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }

        static string Row(string name, double rate, double p50, double p99, double baseRate, double baseP50, double baseP99) =>
            string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {rate:N0} | {p50:F3} | {p99:F3} | {baseRate:N0} | {baseP50:F3} | {baseP99:F3} | {rate / baseRate:F2}× |");

        int Arg(string name, int fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
        }
    }

    private sealed record Result(double Seconds, double P50, double P99);
}
