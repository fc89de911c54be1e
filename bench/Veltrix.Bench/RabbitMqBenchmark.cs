using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using RabbitMQ.Client;
using Veltrix.Testing;

namespace Veltrix.Bench;

/// <summary>
/// Publish → dev sidecar (`pubsub.rabbitmq`, components.rabbitmq/pubsub.yaml's settings) → RabbitMQ → the same sidecar
/// → subscriber app, next to a baseline measured in the same run on the same broker and vhost: `RabbitMQ.Client`
/// publishing and consuming the same CloudEvent bytes with the same settings (see <see cref="RawRabbitMq"/>).
/// </summary>
internal static partial class RabbitMqBenchmark
{
    private const int BatchSize = 100;
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan PhaseLimit = TimeSpan.FromMinutes(5);
    private const int MaxAttempts = 50;

    private static long _refused;

    public static async Task<int> RunAsync(string[] args)
    {
        var events = Arg(args, "--events", 20_000);
        var bulkEvents = Arg(args, "--bulk-events", 100_000);
        var concurrency = Arg(args, "--concurrency", 16);
        var publishers = Arg(args, "--publishers", 4);
        var rounds = Math.Clamp(Arg(args, "--rounds", 1), 1, 10);
        using var run = new CancellationTokenSource(RunLimit); // the tool stops by itself, whatever happens
        var token = run.Token;

        // The broker of `scripts/servers.sh local` unless the test servers' variable says otherwise; a vhost of our own.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("VELTRIX_TEST_RABBITMQ")))
            Environment.SetEnvironmentVariable("VELTRIX_TEST_RABBITMQ", "amqp://guest:guest@127.0.0.1:5672/");
        await using var vhost = await RabbitMqVhost.CreateAsync($"vxbench{Guid.NewGuid():N}"[..15]);
        var broker = new Uri(vhost.Url);

        // The shipped component file, pointed at the vhost: the settings measured are the ones users get.
        var shipped = await File.ReadAllTextAsync(Path.Combine(RepositoryLayout.Root, "components.rabbitmq", "pubsub.yaml"), token);
        if (!AmqpUrl().IsMatch(shipped)) throw new InvalidOperationException("components.rabbitmq/pubsub.yaml has no amqp:// connectionString");
        var prefetch = ushort.Parse(Setting(shipped, "prefetchCount"), CultureInfo.InvariantCulture);
        foreach (var (name, expected) in new[] { ("durable", "true"), ("deletedWhenUnused", "false"), ("deliveryMode", "2"), ("publisherConfirm", "true") })
            if (Setting(shipped, name) != expected)
                throw new InvalidOperationException($"components.rabbitmq/pubsub.yaml: {name} is no longer {expected}; update the raw baseline to match");

        await using var subscriber = await SubscriberApp.StartAsync(FreePort.Next());
        using var resources = new ResourcesFolder(AmqpUrl().Replace(shipped, $"value: \"{broker}\"", 1));
        await using var sidecar = await SidecarProcess.StartForAppAsync("bench", subscriber.Port, [resources.Path]);
        await using var raw = await RawRabbitMq.StartAsync(broker, prefetch, new[] { "raw.single", "raw.bulk" }, token);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(30) };
        var sidecarUri = sidecar.BaseAddress;
        var brokerPid = BrokerPid();
        var loadAtStart = LoadAverage();

        var wire = await WireSampleAsync();
        var rows = new List<string>();
        var cpuRows = new List<string>();

        // Warm both paths (JIT, connections, channels, queues) so set-up is not measured. 2,000 events each were not
        // enough: the sidecar's and the subscriber's code was still being recompiled by the tiered JIT in the first
        // measured round (Veltrix's CPU per 1,000 bulk events fell 302 → 201 → 182 ms over three rounds, raw's stayed
        // 149–171), so every path now gets --warm-events of each kind first.
        var warm = Arg(args, "--warm-events", 20_000);
        await SinglePhaseAsync("warm-up", warm / 4, concurrency, veltrix: true);
        await SinglePhaseAsync("warm-up", warm / 4, concurrency, veltrix: false);
        await BulkPhaseAsync("warm-up", warm, veltrix: true);
        await BulkPhaseAsync("warm-up", warm, veltrix: false);

        for (var round = 1; round <= rounds; round++)
        {
            var suffix = rounds > 1 ? $" — round {round}" : "";
            var bulkName = $"bulk {BatchSize}/call, {publishers} publishers → bulk subscribe 100{suffix}";
            var bulk = await BulkPhaseAsync(bulkName, bulkEvents, veltrix: true);
            var bulkRaw = await BulkPhaseAsync(bulkName, bulkEvents, veltrix: false);
            rows.Add(Row(bulkName, bulkEvents, bulk, bulkRaw));
            cpuRows.Add(CpuRow(bulkName, bulkEvents, bulk, bulkRaw));

            var singleName = $"single, {concurrency} publishers{suffix}";
            var single = await SinglePhaseAsync(singleName, events, concurrency, veltrix: true);
            var singleRaw = await SinglePhaseAsync(singleName, events, concurrency, veltrix: false);
            rows.Add(Row(singleName, events, single, singleRaw));
            cpuRows.Add(CpuRow(singleName, events, single, singleRaw));
        }

        Console.WriteLine();
        Console.WriteLine($"Veltrix dev sidecar on RabbitMQ vs raw RabbitMQ.Client — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, " +
                          $".NET {Environment.Version}, {RuntimeInformation()}");
        Console.WriteLine($"settings: durable exchange (fanout) + durable classic queue, deliveryMode 2, publisher confirms, prefetch {prefetch}, manual acks after the handler; vhost {vhost.Name}");
        Console.WriteLine($"CloudEvent on the wire: Veltrix {wire.Veltrix} bytes, raw {wire.Raw} bytes; load average at start / end: {loadAtStart} / {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| scenario | Veltrix events/s | p50 ms | p99 ms | raw events/s | p50 ms | p99 ms | ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine("CPU seconds during each measured phase (load tool = publishers + subscriber app, or raw publisher + consumer), and how long one publish call (single event, or batch of 100) took until it returned confirmed:");
        Console.WriteLine();
        Console.WriteLine("| scenario | Veltrix: load tool | sidecar | broker | raw: load tool | broker | CPU ms per 1,000 events, Veltrix / raw | publish call until confirmed p50/p99 ms, Veltrix / raw |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        cpuRows.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine($"publishes the sidecar answered with an error and the load tool retried: {_refused}; raw handler errors: {raw.HandlerErrors}");
        return 0;

        async Task<(int Veltrix, int Raw)> WireSampleAsync()
        {
            // One event published through the sidecar, read back from a throw-away queue on its exchange.
            using var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync(token);
            using var channel = await connection.CreateChannelAsync(cancellationToken: token);
            var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: token)).QueueName;
            await channel.QueueBindAsync(queue, "single", "", cancellationToken: token);
            subscriber.Reset(1);
            await SendSingleAsync(0, veltrix: true);
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                if (await channel.BasicGetAsync(queue, autoAck: true, token) is { } message)
                    return (message.Body.Length, RawRabbitMq.CloudEvent("single", 0).Length);
                await Task.Delay(10, token);
            }
            throw new TimeoutException("the sample event never reached the broker");
        }

        async Task<Result> SinglePhaseAsync(string name, int count, int workers, bool veltrix)
        {
            Reset(count, veltrix);
            var calls = new LatencyRecorder(count);
            var cpu = Cpu();
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count && !token.IsCancellationRequested)
                {
                    var start = Stopwatch.GetTimestamp();
                    await SendSingleAsync(i, veltrix);
                    calls.Record(start);
                }
            }));
            await WaitForAsync(name, count, veltrix);
            return Finish(clock, cpu, veltrix, calls);
        }

        async Task<Result> BulkPhaseAsync(string name, int count, bool veltrix)
        {
            var batches = count / BatchSize;
            Reset(batches * BatchSize, veltrix);
            var calls = new LatencyRecorder(batches);
            var cpu = Cpu();
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, publishers).Select(async _ =>
            {
                int b;
                while ((b = Interlocked.Increment(ref next)) < batches && !token.IsCancellationRequested)
                {
                    var start = Stopwatch.GetTimestamp();
                    await SendBatchAsync(b, veltrix);
                    calls.Record(start);
                }
            }));
            await WaitForAsync(name, batches * BatchSize, veltrix);
            return Finish(clock, cpu, veltrix, calls);
        }

        void Reset(int expected, bool veltrix)
        {
            if (veltrix) subscriber.Reset(expected);
            else raw.Reset(expected);
        }

        Result Finish(Stopwatch clock, (double Tool, double Sidecar, double Broker) before, bool veltrix, LatencyRecorder calls)
        {
            var seconds = clock.Elapsed.TotalSeconds;
            var after = Cpu();
            var latency = veltrix ? subscriber.Latency : raw.Latency;
            return new Result(seconds, latency.PercentileMs(50), latency.PercentileMs(99),
                after.Tool - before.Tool, after.Sidecar - before.Sidecar, after.Broker - before.Broker, calls.PercentileMs(50), calls.PercentileMs(99));
        }

        (double Tool, double Sidecar, double Broker) Cpu() =>
            (CpuSeconds(Environment.ProcessId), CpuSeconds(sidecar.ProcessId), brokerPid is { } pid ? CpuSeconds(pid) : double.NaN);

        async Task SendSingleAsync(int sequence, bool veltrix)
        {
            if (!veltrix)
            {
                await raw.PublishAsync("raw.single", RawRabbitMq.CloudEvent("single", sequence), token);
                return;
            }
            for (var attempt = 1; ; attempt++)
            {
                var data = $$"""{"seq":{{sequence}},"sent":{{Stopwatch.GetTimestamp()}}}""";
                using var content = new StringContent(data, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(new Uri(sidecarUri, "/v1.0/publish/pubsub/single"), content, token);
                if (response.IsSuccessStatusCode) return;
                if (response.StatusCode != HttpStatusCode.InternalServerError || attempt >= MaxAttempts)
                    throw new InvalidOperationException($"publish answered {response.StatusCode}: {await response.Content.ReadAsStringAsync(token)}");
                Interlocked.Increment(ref _refused);
                await Task.Delay(10, token);
            }
        }

        async Task SendBatchAsync(int batch, bool veltrix)
        {
            if (!veltrix)
            {
                // The whole batch on the wire at once, then its confirms — what the sidecar's bulk publish does.
                var confirms = new Task[BatchSize];
                for (var i = 0; i < BatchSize; i++) confirms[i] = raw.PublishAsync("raw.bulk", RawRabbitMq.CloudEvent("bulk", batch * BatchSize + i), token);
                await Task.WhenAll(confirms);
                return;
            }
            var entries = new Dictionary<string, string>(BatchSize);
            for (var i = 0; i < BatchSize; i++)
            {
                var data = $$"""{"seq":{{batch * BatchSize + i}},"sent":{{Stopwatch.GetTimestamp()}}}""";
                entries[i.ToString(CultureInfo.InvariantCulture)] = $$"""{"entryId":"{{i}}","event":{{data}},"contentType":"application/json"}""";
            }
            for (var attempt = 1; entries.Count > 0; attempt++)
            {
                using var content = new StringContent("[" + string.Join(',', entries.Values) + "]", Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(new Uri(sidecarUri, "/v1.0-alpha1/publish/bulk/pubsub/bulk"), content, token);
                if (response.IsSuccessStatusCode) return;
                if (response.StatusCode != HttpStatusCode.InternalServerError || attempt >= MaxAttempts)
                    throw new InvalidOperationException($"bulk publish answered {response.StatusCode}: {await response.Content.ReadAsStringAsync(token)}");
                // Resend exactly the refused entries, as a well-behaved publisher does.
                using var failed = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
                var refused = failed.RootElement.GetProperty("failedEntries").EnumerateArray().Select(e => e.GetProperty("entryId").GetString()!).ToHashSet();
                foreach (var accepted in entries.Keys.Where(k => !refused.Contains(k)).ToList()) entries.Remove(accepted);
                Interlocked.Add(ref _refused, refused.Count);
                await Task.Delay(10, token);
            }
        }

        async Task WaitForAsync(string name, long expected, bool veltrix)
        {
            var deadline = Stopwatch.StartNew();
            while ((veltrix ? subscriber.Received : raw.Received) < expected)
            {
                if (deadline.Elapsed > PhaseLimit || token.IsCancellationRequested)
                    throw new TimeoutException($"{name} ({(veltrix ? "Veltrix" : "raw")}): only {(veltrix ? subscriber.Received : raw.Received)} of {expected} events arrived");
                if (sidecar.HasExited) throw new InvalidOperationException($"the sidecar exited:\n{sidecar.Output}");
                await Task.Delay(1, CancellationToken.None);
            }
        }
    }

    private static string Row(string name, int events, Result veltrix, Result raw)
    {
        double rate = events / veltrix.Seconds, rawRate = events / raw.Seconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {rate:N0} | {veltrix.P50:F2} | {veltrix.P99:F2} | {rawRate:N0} | {raw.P50:F2} | {raw.P99:F2} | {rate / rawRate:F2}× |");
    }

    private static string CpuRow(string name, int events, Result veltrix, Result raw) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {veltrix.ToolCpu:F1} | {veltrix.SidecarCpu:F1} | {veltrix.BrokerCpu:F1} | {raw.ToolCpu:F1} | {raw.BrokerCpu:F1} | " +
            $"{(veltrix.ToolCpu + veltrix.SidecarCpu + veltrix.BrokerCpu) * 1e6 / events:F0} / {(raw.ToolCpu + raw.BrokerCpu) * 1e6 / events:F0} | " +
            $"{veltrix.CallP50:F2}/{veltrix.CallP99:F2} / {raw.CallP50:F2}/{raw.CallP99:F2} |");

    private static string Setting(string yaml, string name) =>
        Regex.Match(yaml, $"- name: {name}\\s+value: \"([^\"]*)\"") is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"components.rabbitmq/pubsub.yaml has no {name}");

    [GeneratedRegex("value: \"amqp://[^\"]*\"")]
    private static partial Regex AmqpUrl();

    /// <summary>The RabbitMQ node on this machine (beam.smp), for its CPU time; null when there is none to see.</summary>
    private static int? BrokerPid()
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() == "beam.smp" &&
                    File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("rabbit", StringComparison.Ordinal))
                    return pid;
            }
            catch (IOException)
            {
                // gone
            }
            catch (UnauthorizedAccessException)
            {
                // not ours to read
            }
        }
        return null;
    }

    /// <summary>User + system CPU seconds of one process (all its threads), from /proc.</summary>
    private static double CpuSeconds(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0; // USER_HZ
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>The 1-minute load average: the machine is shared, so say how busy it was.</summary>
    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static string RuntimeInformation() =>
        System.Runtime.InteropServices.RuntimeInformation.OSDescription;

    private static int Arg(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed record Result(double Seconds, double P50, double P99, double ToolCpu, double SidecarCpu, double BrokerCpu, double CallP50, double CallP99);
}
