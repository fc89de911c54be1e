using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Veltrix.Events.Publishing;
using Veltrix.Events.Routing;
using Veltrix.ServiceDefaults.Telemetry;
using GrpcDapr = Dapr.Client.Autogen.Grpc.v1.Dapr;

namespace Veltrix.Bench;

public sealed record BenchSolve(string HuntId, string PuzzleId, string PlayerId, int Points, DateTimeOffset SolvedAt);

/// <summary>The envelope a service wrote by hand before the event configuration: the baseline's CloudEvent.</summary>
public sealed record HandWrittenCloudEvent(
    [property: JsonPropertyName("specversion")] string SpecVersion,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("datacontenttype")] string DataContentType,
    [property: JsonPropertyName("data")] BenchSolve Data);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RoutedEvent<BenchSolve>))]
[JsonSerializable(typeof(HandWrittenCloudEvent))]
internal sealed partial class RoutingBenchJson : JsonSerializerContext;

/// <summary>
/// What publishing by event type costs in the producer: <see cref="EventPublisher"/> (route lookup, version stamp,
/// partition key from the ordering key, TTL) against the same gRPC bulk publish with a hand-written envelope and a
/// hard-coded topic — both through the same Dapr gRPC client to a sidecar stub that answers at once (after encoding
/// the request, as the channel would), so only the producer's CPU differs.
/// </summary>
public static class RoutingBenchmark
{
    private const string Yaml = """
        apiVersion: veltrix.io/v1alpha1
        kind: EventConfiguration
        metadata: {name: bench}
        spec:
          events:
            - type: puzzle.solved
              schema: {huntId: string, puzzleId: string, playerId: string, points: integer, solvedAt: timestamp}
              pubsub: pubsub
              topic: puzzle.solved
              producers: [hunt]
              consumers: [{app: scoring, route: /events/puzzle-solved}]
              orderingKey: playerId
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var batches = args.SkipWhile(a => a != "--batches").Skip(1).Select(int.Parse).FirstOrDefault(2_000);
        const int batchSize = 500;
        using var sidecar = new DaprBulkPublishClient(new GrpcDapr.DaprClient(new AcceptEverything()), apiToken: null);
        var routing = new ActiveRouting(NullLogger<ActiveRouting>.Instance);
        routing.Activate(new RoutingTable(ConfigurationSource.Parse("bench.yaml", Yaml), 1));
        using var meters = new MeterFactory();
        var publisher = new EventPublisher(sidecar, routing, new RoutingMetrics(meters), new EventMetrics(meters), "hunt");
        var now = DateTimeOffset.UtcNow;
        var solves = Enumerable.Range(0, batchSize).Select(i => new BenchSolve("h", $"p{i % 10}", $"player-{i}", 5, now)).ToArray();

        async Task Routed()
        {
            var events = solves.Select(s => new OutgoingEvent<BenchSolve>($"solved:{s.HuntId}:{s.PuzzleId}:{s.PlayerId}", s)).ToList();
            await publisher.PublishAsync("puzzle.solved", events, RoutingBenchJson.Default.RoutedEventBenchSolve, CancellationToken.None);
        }
        async Task HandWritten()
        {
            var request = new BulkPublishRequest { PubsubName = "pubsub", Topic = "puzzle.solved" };
            foreach (var e in solves.Select(s => new HandWrittenCloudEvent("1.0", $"solved:{s.HuntId}:{s.PuzzleId}:{s.PlayerId}", "hunt", "puzzle.solved", "application/json", s)))
                request.Entries.Add(new BulkPublishRequestEntry
                {
                    EntryId = e.Id,
                    Event = UnsafeByteOperations.UnsafeWrap(JsonSerializer.SerializeToUtf8Bytes(e, RoutingBenchJson.Default.HandWrittenCloudEvent)),
                    ContentType = "application/cloudevents+json",
                });
            await sidecar.PublishAsync(request, CancellationToken.None);
        }

        // Warm up both, then alternate rounds so that machine noise falls on both alike.
        for (var i = 0; i < 50; i++) { await Routed(); await HandWritten(); }
        var (routed, baseline) = (TimeSpan.Zero, TimeSpan.Zero);
        for (var round = 0; round < 4; round++)
        {
            routed += await TimeAsync(Routed, batches / 4);
            baseline += await TimeAsync(HandWritten, batches / 4);
        }
        var events = (double)batches * batchSize;
        Console.WriteLine($"Publishing by event type — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine($"{batches:N0} bulk publishes of {batchSize} events each, to a sidecar stub that accepts at once");
        Console.WriteLine();
        Console.WriteLine("| scenario | events/s | µs per event |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| EventPublisher (route, version stamp, partition key) | {events / routed.TotalSeconds:N0} | {routed.TotalMicroseconds / events:F2} |");
        Console.WriteLine($"| hand-written envelope, hard-coded topic (baseline) | {events / baseline.TotalSeconds:N0} | {baseline.TotalMicroseconds / events:F2} |");
        Console.WriteLine($"| ratio (EventPublisher / baseline throughput) | {baseline / routed:F2}× | |");
        return 0;
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> publish, int count)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) await publish();
        return watch.Elapsed;
    }

    /// <summary>A sidecar that accepts every bulk publish at once; the request is encoded, as the channel would send it.</summary>
    private sealed class AcceptEverything : CallInvoker
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            _ = ((IMessage)request).ToByteArray();
            var response = (TResponse)(object)new BulkPublishResponse();
            return new AsyncUnaryCall<TResponse>(Task.FromResult(response), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options,
            TRequest request) => throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host,
            CallOptions options) => throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host,
            CallOptions options) => throw new NotSupportedException();
    }

    private sealed class MeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
