using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapr;
using Dapr.Client.Autogen.Grpc.v1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Veltrix.Events.Publishing;
using Veltrix.Events.Routing;
using Veltrix.ServiceDefaults.Telemetry;
using GrpcDapr = Dapr.Client.Autogen.Grpc.v1.Dapr;

namespace Veltrix.Events.Tests.Runtime;

public sealed record Scored(string PlayerId, int Points);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RoutedEvent<Scored>))]
[JsonSerializable(typeof(RoutedEvent<JsonElement>))]
internal sealed partial class PublisherTestJson : JsonSerializerContext;

/// <summary>
/// What a producer sends to its sidecar when it publishes by type — one gRPC bulk publish whose entries are whole
/// CloudEvents (own id, version stamp) with their own partition key, the TTL as request metadata — how it falls back to
/// the alpha method, what it counts, and refusals for types it may not publish.
/// </summary>
public sealed class EventPublisherTests
{
    private const string Yaml = """
        apiVersion: veltrix.io/v1alpha1
        kind: EventConfiguration
        metadata:
          name: scores
        spec:
          events:
            - type: score.changed
              schema: {playerId: string, points: integer}
              pubsub: bus
              topic: scores.v7
              producers: [scoring]
              consumers: []
              orderingKey: playerId
              ttl: 90s
        """;

    [Fact]
    public async Task A_publish_takes_topic_partition_key_ttl_and_version_from_the_active_configuration()
    {
        var sidecar = new RecordingSidecar();
        var (publisher, _) = Publisher(sidecar, "scoring", version: 4);
        var failed = await publisher.PublishAsync("score.changed",
            [new OutgoingEvent<Scored>("s-1", new Scored("alice", 3)), new OutgoingEvent<Scored>("s-2", new Scored("bob", 5))],
            PublisherTestJson.Default.RoutedEventScored, CancellationToken.None);

        Assert.Empty(failed);
        var (method, request) = Assert.Single(sidecar.Calls);
        Assert.Equal("BulkPublishEvent", method);
        Assert.Equal(("bus", "scores.v7", "90"), (request.PubsubName, request.Topic, request.Metadata["ttlInSeconds"]));
        Assert.Equal(["alice", "bob"], request.Entries.Select(e => e.Metadata["partitionKey"]));
        var entry = request.Entries[0];
        Assert.Equal(("s-1", "application/cloudevents+json"), (entry.EntryId, entry.ContentType));
        var envelope = JsonDocument.Parse(entry.Event.Memory).RootElement;
        Assert.Equal(("s-1", "score.changed", "scoring", "1.0"),
            (envelope.GetProperty("id").GetString(), envelope.GetProperty("type").GetString(), envelope.GetProperty("source").GetString(), envelope.GetProperty("specversion").GetString()));
        Assert.Equal(("scores", 4), (envelope.GetProperty("veltrixconfig").GetString(), envelope.GetProperty("veltrixversion").GetInt32()));
        Assert.Equal(3, envelope.GetProperty("data").GetProperty("points").GetInt32());
    }

    [Fact]
    public async Task Pass_through_json_data_gets_its_partition_key_too()
    {
        var sidecar = new RecordingSidecar();
        var (publisher, _) = Publisher(sidecar, "scoring", version: 1);
        var data = JsonDocument.Parse("""{"playerId":"bob","points":1}""").RootElement;
        await publisher.PublishAsync("score.changed", [new OutgoingEvent<JsonElement>("e", data, EntryId: "0")], PublisherTestJson.Default.RoutedEventJsonElement, CancellationToken.None);
        var entry = Assert.Single(Assert.Single(sidecar.Calls).Request.Entries);
        Assert.Equal(("0", "bob"), (entry.EntryId, entry.Metadata["partitionKey"]));
    }

    [Fact]
    public async Task A_sidecar_without_BulkPublishEvent_gets_BulkPublishEventAlpha1_from_then_on()
    {
        var sidecar = new RecordingSidecar { Unimplemented = ["BulkPublishEvent"] };
        var (publisher, _) = Publisher(sidecar, "scoring", version: 1);
        for (var i = 0; i < 2; i++)
            Assert.Empty(await publisher.PublishAsync("score.changed", [new OutgoingEvent<Scored>($"s{i}", new Scored("a", 1))],
                PublisherTestJson.Default.RoutedEventScored, CancellationToken.None));

        Assert.Equal(["BulkPublishEvent", "BulkPublishEventAlpha1", "BulkPublishEventAlpha1"], sidecar.Calls.Select(c => c.Method));
    }

    [Fact]
    public async Task Accepted_and_refused_entries_are_counted_once_and_the_refused_come_back()
    {
        var sidecar = new RecordingSidecar { Fail = ["s-2"] };
        var (publisher, counts) = Publisher(sidecar, "scoring", version: 1);
        var failed = await publisher.PublishAsync("score.changed",
            [new OutgoingEvent<Scored>("s-1", new Scored("a", 1)), new OutgoingEvent<Scored>("s-2", new Scored("b", 1)), new OutgoingEvent<Scored>("s-3", new Scored("c", 1))],
            PublisherTestJson.Default.RoutedEventScored, CancellationToken.None);

        Assert.Equal([("s-2", "broker full")], failed);
        Assert.Equal(2, counts.Total("veltrix.events.published", "scores.v7"));
        Assert.Equal(1, counts.Total("veltrix.events.publish_failed", "scores.v7"));
    }

    [Fact]
    public async Task A_call_the_sidecar_fails_counts_every_entry_as_failed_and_throws_DaprException()
    {
        var sidecar = new RecordingSidecar { Status = new Status(StatusCode.InvalidArgument, "pubsub bus is not found") };
        var (publisher, counts) = Publisher(sidecar, "scoring", version: 1);

        var e = await Assert.ThrowsAsync<DaprException>(() => publisher.PublishAsync("score.changed",
            [new OutgoingEvent<Scored>("s-1", new Scored("a", 1)), new OutgoingEvent<Scored>("s-2", new Scored("b", 1))],
            PublisherTestJson.Default.RoutedEventScored, CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, Assert.IsType<RpcException>(e.InnerException).StatusCode);
        Assert.Equal(2, counts.Total("veltrix.events.publish_failed", "scores.v7"));
        Assert.Equal(0, counts.Total("veltrix.events.published", "scores.v7"));
    }

    [Theory]
    [InlineData(StatusCode.ResourceExhausted, "subscription queue full (VX2010)")]
    [InlineData(StatusCode.Internal, "error when publishing to topic scores in pubsub bus: broker down")]
    public async Task A_batch_the_sidecar_refused_as_a_whole_comes_back_entry_by_entry_for_the_caller_to_resend(StatusCode status, string detail)
    {
        var sidecar = new RecordingSidecar { Status = new Status(status, detail) };
        var (publisher, counts) = Publisher(sidecar, "scoring", version: 1);

        var failed = await publisher.PublishAsync("score.changed",
            [new OutgoingEvent<Scored>("s-1", new Scored("a", 1)), new OutgoingEvent<Scored>("s-2", new Scored("b", 1))],
            PublisherTestJson.Default.RoutedEventScored, CancellationToken.None);

        Assert.Equal([("s-1", detail), ("s-2", detail)], failed);
        Assert.Equal(2, counts.Total("veltrix.events.publish_failed", "scores.v7"));
        Assert.Equal(0, counts.Total("veltrix.events.published", "scores.v7"));
    }

    [Fact]
    public async Task Undeclared_types_and_apps_that_are_not_producers_are_refused_before_anything_is_sent()
    {
        var sidecar = new RecordingSidecar();
        var (stranger, _) = Publisher(sidecar, "leaderboard", version: 1);
        var notProducer = await Assert.ThrowsAsync<EventRoutingException>(() => stranger.PublishAsync("score.changed",
            [new OutgoingEvent<Scored>("x", new Scored("a", 1))], PublisherTestJson.Default.RoutedEventScored, CancellationToken.None));
        Assert.Equal("VX5054", notProducer.Code);
        var undeclared = await Assert.ThrowsAsync<EventRoutingException>(() => stranger.PublishAsync("score.reset",
            [new OutgoingEvent<Scored>("x", new Scored("a", 1))], PublisherTestJson.Default.RoutedEventScored, CancellationToken.None));
        Assert.Equal("VX5055", undeclared.Code);
        Assert.Empty(sidecar.Calls);
    }

    [Fact]
    public async Task The_change_event_goes_to_every_pubsub_of_the_configuration_through_the_same_path()
    {
        var sidecar = new RecordingSidecar();
        var (publisher, counts) = Publisher(sidecar, "control", version: 1);
        var configuration = ConfigurationSource.Parse("events/two.yaml", Yaml.Replace("      ttl: 90s", """
                  ttl: 90s
                - type: score.reset
                  schema: {playerId: string}
                  pubsub: other
                  topic: resets
                  producers: [scoring]
                  consumers: []
            """.TrimEnd()));

        var failures = await publisher.AnnounceActivationAsync(configuration, new ConfigurationActivated("two", 5), CancellationToken.None);

        Assert.Empty(failures);
        Assert.Equal(["bus", "other"], sidecar.Calls.Select(c => c.Request.PubsubName).Order());
        Assert.All(sidecar.Calls, c => Assert.Equal("veltrix.configuration", c.Request.Topic));
        var envelope = JsonDocument.Parse(sidecar.Calls.First().Request.Entries.Single().Event.Memory).RootElement;
        Assert.Equal(("two", 5), (envelope.GetProperty("data").GetProperty("name").GetString(), envelope.GetProperty("data").GetProperty("version").GetInt32()));
        Assert.Equal(1, counts.Total("veltrix.events.published", "veltrix.configuration", "other"));
    }

    private static (EventPublisher Publisher, Counts Counts) Publisher(RecordingSidecar sidecar, string appId, int version)
    {
        var routing = new ActiveRouting(NullLogger<ActiveRouting>.Instance);
        routing.Activate(new RoutingTable(ConfigurationSource.Parse("events/scores.yaml", Yaml), version));
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var events = new EventMetrics(meters);
        var client = new DaprBulkPublishClient(new GrpcDapr.DaprClient(sidecar), apiToken: "secret");
        return (new EventPublisher(client, routing, new RoutingMetrics(meters), events, appId), new Counts(meters));
    }

    /// <summary>Sums the event counters by name, topic and (optionally) pub/sub, as the Prometheus exporter would.</summary>
    private sealed class Counts
    {
        private readonly ConcurrentQueue<(string Name, long Value, string? Topic, string? PubSub)> _measurements = new();

        public Counts(IMeterFactory meters)
        {
            var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    // This publisher's meters only (the factory is their scope): tests run in parallel.
                    if (instrument.Meter.Name == EventMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters)) l.EnableMeasurementEvents(instrument);
                },
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                string? topic = null, pubsub = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "topic") topic = tag.Value as string;
                    if (tag.Key == "pubsub") pubsub = tag.Value as string;
                }
                _measurements.Enqueue((instrument.Name, value, topic, pubsub));
            });
            listener.Start();
        }

        public long Total(string name, string topic, string? pubsub = null) =>
            _measurements.Where(m => m.Name == name && m.Topic == topic && (pubsub is null || m.PubSub == pubsub)).Sum(m => m.Value);
    }

    /// <summary>The sidecar's side of the generated gRPC client: records each call and its dapr-api-token; answers as told.</summary>
    private sealed class RecordingSidecar : CallInvoker
    {
        public ConcurrentQueue<(string Method, BulkPublishRequest Request)> Calls { get; } = new();
        public HashSet<string> Unimplemented { get; init; } = [];
        public HashSet<string> Fail { get; init; } = [];
        public Status? Status { get; init; }

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            Assert.Equal("secret", options.Headers?.GetValue("dapr-api-token"));
            var bulk = Assert.IsType<BulkPublishRequest>(request);
            Calls.Enqueue((method.Name, bulk));
            Task<TResponse> answer;
            if (Unimplemented.Contains(method.Name)) answer = Task.FromException<TResponse>(new RpcException(new Status(StatusCode.Unimplemented, "")));
            else if (Status is { } status) answer = Task.FromException<TResponse>(new RpcException(status));
            else
            {
                var response = new BulkPublishResponse();
                response.FailedEntries.AddRange(bulk.Entries.Where(e => Fail.Contains(e.EntryId))
                    .Select(e => new BulkPublishResponseFailedEntry { EntryId = e.EntryId, Error = "broker full" }));
                answer = Task.FromResult((TResponse)(object)response);
            }
            return new AsyncUnaryCall<TResponse>(answer, Task.FromResult(new Metadata()), () => Grpc.Core.Status.DefaultSuccess, () => [], () => { });
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host,
            CallOptions options, TRequest request) => throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host,
            CallOptions options) => throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host,
            CallOptions options) => throw new NotSupportedException();
    }
}
