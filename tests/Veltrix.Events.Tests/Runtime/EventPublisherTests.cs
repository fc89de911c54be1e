using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Veltrix.Dapr.Client;
using Veltrix.Events.Publishing;
using Veltrix.Events.Routing;

namespace Veltrix.Events.Tests.Runtime;

public sealed record Scored(string PlayerId, int Points);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RoutedEvent<Scored>))]
[JsonSerializable(typeof(RoutedEvent<JsonElement>))]
internal sealed partial class PublisherTestJson : JsonSerializerContext;

/// <summary>
/// What a producer sends to its sidecar when it publishes by type: the route, partition key, TTL and version stamp of
/// the active configuration, and refusals for types it may not publish.
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
        var (publisher, requests) = Publisher("scoring", version: 4);
        var failed = await publisher.PublishAsync("score.changed", [new OutgoingEvent<Scored>("s-1", new Scored("alice", 3))],
            PublisherTestJson.Default.RoutedEventScored, CancellationToken.None);

        Assert.Empty(failed);
        var (uri, body) = Assert.Single(requests);
        Assert.Equal("/v1.0-alpha1/publish/bulk/bus/scores.v7", uri.AbsolutePath);
        Assert.Contains("metadata.ttlInSeconds=90", uri.Query, StringComparison.Ordinal);
        var entry = Assert.Single(body.EnumerateArray());
        Assert.Equal("alice", entry.GetProperty("metadata").GetProperty("partitionKey").GetString());
        var envelope = entry.GetProperty("event");
        Assert.Equal(("s-1", "score.changed", "scoring"), (envelope.GetProperty("id").GetString(), envelope.GetProperty("type").GetString(), envelope.GetProperty("source").GetString()));
        Assert.Equal(("scores", 4), (envelope.GetProperty("veltrixconfig").GetString(), envelope.GetProperty("veltrixversion").GetInt32()));
        Assert.Equal(3, envelope.GetProperty("data").GetProperty("points").GetInt32());
    }

    [Fact]
    public async Task Pass_through_json_data_gets_its_partition_key_too()
    {
        var (publisher, requests) = Publisher("scoring", version: 1);
        var data = JsonDocument.Parse("""{"playerId":"bob","points":1}""").RootElement;
        await publisher.PublishAsync("score.changed", [new OutgoingEvent<JsonElement>("e", data, EntryId: "0")], PublisherTestJson.Default.RoutedEventJsonElement, CancellationToken.None);
        var entry = Assert.Single(Assert.Single(requests).Body.EnumerateArray());
        Assert.Equal(("0", "bob"), (entry.GetProperty("entryId").GetString(), entry.GetProperty("metadata").GetProperty("partitionKey").GetString()));
    }

    [Fact]
    public async Task Undeclared_types_and_apps_that_are_not_producers_are_refused_before_anything_is_sent()
    {
        var (stranger, sent) = Publisher("leaderboard", version: 1);
        var notProducer = await Assert.ThrowsAsync<EventRoutingException>(() => stranger.PublishAsync("score.changed",
            [new OutgoingEvent<Scored>("x", new Scored("a", 1))], PublisherTestJson.Default.RoutedEventScored, CancellationToken.None));
        Assert.Equal("VX5054", notProducer.Code);
        var undeclared = await Assert.ThrowsAsync<EventRoutingException>(() => stranger.PublishAsync("score.reset",
            [new OutgoingEvent<Scored>("x", new Scored("a", 1))], PublisherTestJson.Default.RoutedEventScored, CancellationToken.None));
        Assert.Equal("VX5055", undeclared.Code);
        Assert.Empty(sent);
    }

    private static (EventPublisher Publisher, List<(Uri Uri, JsonElement Body)> Requests) Publisher(string appId, int version)
    {
        var requests = new List<(Uri, JsonElement)>();
        var dapr = new DaprClientBuilder().UseHttpEndpoint("http://127.0.0.1:1")
            .UseHttpClientFactory(() => new HttpClient(new Recorder(requests))).Build();
        var routing = new ActiveRouting(NullLogger<ActiveRouting>.Instance);
        routing.Activate(new RoutingTable(ConfigurationSource.Parse("events/scores.yaml", Yaml), version));
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return (new EventPublisher(dapr, routing, new RoutingMetrics(meters), appId), requests);
    }

    private sealed class Recorder(List<(Uri, JsonElement)> requests) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
            requests.Add((request.RequestUri!, body));
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        }
    }
}
