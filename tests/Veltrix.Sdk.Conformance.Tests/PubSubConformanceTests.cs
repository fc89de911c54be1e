using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.AspNetCore;
using Dapr.Client;
using Grpc.Core;
using Veltrix.Testing;

namespace Veltrix.Sdk.Conformance.Tests;

/// <summary>Checklist items 5–11 (reference §5, pub/sub), each over in-memory and RabbitMQ pub/sub.</summary>
public sealed class PubSubConformanceTests
{
    private static readonly TimeSpan Retries = TimeSpan.FromSeconds(20);

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task Item05_a_published_object_arrives_as_a_CloudEvent_and_UseCloudEvents_hands_over_the_object(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub, withApp: true);
        var log = harness.Subscriber.Log;

        await harness.Client.PublishEventAsync(Backends.PubSubName, harness.Subscriber.Topic("orders"), new Order("o-1", 3), TestContext.Current.CancellationToken);

        await Eventually.UntilAsync(() => log.On("orders").Count == 1, "the order is delivered");
        var delivery = log.On("orders")[0];
        Assert.Equal("application/json", delivery.Attribute("datacontenttype"));
        Assert.Equal(harness.AppId, delivery.Attribute("source"));
        Assert.Equal(harness.Subscriber.Topic("orders"), delivery.Attribute("topic"));
        Assert.Equal(Backends.PubSubName, delivery.Attribute("pubsubname"));
        Assert.Equal("1.0", delivery.Attribute("specversion"));
        Assert.Equal(new Order("o-1", 3), JsonSerializer.Deserialize<Order>(delivery.HandlerBody, JsonSerializerOptions.Web));
    }

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task Item05_a_Topic_attribute_controller_binds_the_original_object(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub, withApp: true);
        var log = harness.Subscriber.Log;
        var order = new Order("attr-" + harness.Subscriber.Suffix, 7); // the attribute's topic is shared: find ours by id

        await harness.Client.PublishEventAsync(Backends.PubSubName, SubscriberApp.AttributeTopic, order, TestContext.Current.CancellationToken);

        await Eventually.UntilAsync(() => log.On("attr-orders").Any(d => d.HandlerBody.Contains(order.Id, StringComparison.Ordinal)), "the controller got the order");
        var delivery = log.On("attr-orders").Single(d => d.HandlerBody.Contains(order.Id, StringComparison.Ordinal));
        Assert.Equal(order, JsonSerializer.Deserialize<Order>(delivery.HandlerBody, JsonSerializerOptions.Web));
        Assert.Equal(harness.AppId, delivery.Attribute("source"));
    }

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task Item06_cloudevent_metadata_overrides_the_envelope_and_ttl_sets_expiration(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub, withApp: true);
        var log = harness.Subscriber.Log;
        var metadata = new Dictionary<string, string>
        {
            ["cloudevent.id"] = "my-id",
            ["cloudevent.type"] = "com.example.order",
            ["cloudevent.source"] = "my-source",
            ["ttlInSeconds"] = "600",
        };

        await harness.Client.PublishEventAsync(Backends.PubSubName, harness.Subscriber.Topic("orders"), new Order("o-2", 1), metadata, TestContext.Current.CancellationToken);

        await Eventually.UntilAsync(() => log.On("orders").Count == 1, "the order is delivered");
        var delivery = log.On("orders")[0];
        Assert.Equal("my-id", delivery.Attribute("id"));
        Assert.Equal("com.example.order", delivery.Attribute("type"));
        Assert.Equal("my-source", delivery.Attribute("source"));
        var expiration = DateTimeOffset.Parse(delivery.Attribute("expiration"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiration, DateTimeOffset.UtcNow.AddSeconds(500), DateTimeOffset.UtcNow.AddSeconds(700));
    }

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task Item06_rawPayload_delivers_the_published_bytes_without_an_envelope(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub, withApp: true);
        var log = harness.Subscriber.Log;
        var bytes = "not json, just bytes"u8.ToArray();

        await harness.Client.PublishByteEventAsync(Backends.PubSubName, harness.Subscriber.Topic("raw"), bytes, "text/plain",
            new Dictionary<string, string> { ["rawPayload"] = "true" }, TestContext.Current.CancellationToken);

        await Eventually.UntilAsync(() => log.On("raw").Count == 1, "the raw message is delivered");
        // The subscription is rawPayload too, so the app's middleware unwraps data_base64: exactly the bytes published,
        // which would be a CloudEvent JSON had the publishing side wrapped them.
        Assert.Equal("not json, just bytes", log.On("raw")[0].HandlerBody);
    }

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task Item07_a_CloudEvent_is_published_as_cloudevents_json_and_not_wrapped_twice(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub, withApp: true);
        var log = harness.Subscriber.Log;
        var cloudEvent = new CloudEvent<Order>(new Order("o-3", 2)) { Source = new Uri("urn:my-producer"), Type = "com.example.created" };

        await harness.Client.PublishEventAsync(Backends.PubSubName, harness.Subscriber.Topic("orders"), cloudEvent, TestContext.Current.CancellationToken);

        await Eventually.UntilAsync(() => log.On("orders").Count == 1, "the event is delivered");
        var delivery = log.On("orders")[0];
        Assert.Equal("urn:my-producer", delivery.Attribute("source"));
        Assert.Equal("com.example.created", delivery.Attribute("type"));
        Assert.Equal(harness.Subscriber.Topic("orders"), delivery.Attribute("topic"));
        Assert.Equal(Backends.PubSubName, delivery.Attribute("pubsubname"));
        var data = delivery.EnvelopeJson.GetProperty("data");
        Assert.False(data.TryGetProperty("specversion", out _), $"the data is a nested envelope: {delivery.Envelope}");
        Assert.Equal(new Order("o-3", 2), JsonSerializer.Deserialize<Order>(delivery.HandlerBody, JsonSerializerOptions.Web));
    }

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task Item08_publishing_to_an_unknown_pubsub_is_InvalidArgument(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub);

        var error = await Assert.ThrowsAsync<DaprException>(() =>
            harness.Client.PublishEventAsync("nosuch", "t", new Order("o", 1), TestContext.Current.CancellationToken));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("pubsub nosuch is not found", rpc.Status.Detail);
    }

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task Item09_bulk_publish_of_three_events_delivers_three(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub, withApp: true);
        var log = harness.Subscriber.Log;
        var orders = new[] { new Order("b-1", 1), new Order("b-2", 2), new Order("b-3", 3) };

        var response = await harness.Client.BulkPublishEventAsync(Backends.PubSubName, harness.Subscriber.Topic("orders"), orders,
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(response.FailedEntries);
        await Eventually.UntilAsync(() => log.On("orders").Count == 3, "three deliveries");
        Assert.Equal(orders.OrderBy(o => o.Id), log.On("orders").Select(d => JsonSerializer.Deserialize<Order>(d.HandlerBody, JsonSerializerOptions.Web)!).OrderBy(o => o.Id));
        Assert.All(log.On("orders"), d => Assert.Equal(harness.AppId, d.Attribute("source")));
    }

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task Bulk_publish_entry_metadata_overrides_request_metadata_and_a_CloudEvent_entry_is_completed_not_wrapped(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub, withApp: true);
        var log = harness.Subscriber.Log;
        var raw = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(Grpc.Net.Client.GrpcChannel.ForAddress(harness.Sidecar.GrpcAddress));
        var request = new Dapr.Client.Autogen.Grpc.v1.BulkPublishRequest { PubsubName = Backends.PubSubName, Topic = harness.Subscriber.Topic("orders") };
        request.Metadata["cloudevent.type"] = "from.request";
        request.Entries.Add(new Dapr.Client.Autogen.Grpc.v1.BulkPublishRequestEntry
        {
            EntryId = "plain", ContentType = "application/json", Event = Google.Protobuf.ByteString.CopyFromUtf8("""{"id":"plain","quantity":1}"""),
        });
        var overriding = new Dapr.Client.Autogen.Grpc.v1.BulkPublishRequestEntry
        {
            EntryId = "overriding", ContentType = "application/json", Event = Google.Protobuf.ByteString.CopyFromUtf8("""{"id":"overriding","quantity":2}"""),
        };
        overriding.Metadata["cloudevent.type"] = "from.entry";
        request.Entries.Add(overriding);
        request.Entries.Add(new Dapr.Client.Autogen.Grpc.v1.BulkPublishRequestEntry
        {
            EntryId = "envelope", ContentType = "application/cloudevents+json",
            Event = Google.Protobuf.ByteString.CopyFromUtf8("""{"specversion":"1.0","id":"ce-1","source":"urn:mine","type":"mine.type","datacontenttype":"application/json","data":{"id":"envelope","quantity":3}}"""),
        });

        var response = await raw.BulkPublishEventAsync(request, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(response.FailedEntries);
        await Eventually.UntilAsync(() => log.On("orders").Count == 3, "three deliveries");
        Delivery Of(string id) => log.On("orders").Single(d => JsonSerializer.Deserialize<Order>(d.HandlerBody, JsonSerializerOptions.Web)!.Id == id);
        Assert.Equal("from.request", Of("plain").Attribute("type"));
        Assert.Equal("from.entry", Of("overriding").Attribute("type"));
        Assert.Equal(("ce-1", "urn:mine"), (Of("envelope").Attribute("id"), Of("envelope").Attribute("source")));
        Assert.Equal(harness.Subscriber.Topic("orders"), Of("envelope").Attribute("topic"));
        Assert.False(Of("envelope").EnvelopeJson.GetProperty("data").TryGetProperty("specversion", out _));
    }

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task Item10_a_bulk_subscriber_gets_every_entry_RETRY_is_redelivered_and_DROP_goes_to_the_dead_letter_topic(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub, withApp: true, extraYaml: [Yaml.InboundRetry(Backends.PubSubName, maxRetries: 5)]);
        var log = harness.Subscriber.Log;
        log.BulkAnswer = (id, attempt) => id switch
        {
            "retry" when attempt == 1 => BulkSubscribeAppResponseStatus.RETRY,
            "drop" => BulkSubscribeAppResponseStatus.DROP,
            _ => BulkSubscribeAppResponseStatus.SUCCESS,
        };
        var orders = new[] { new Order("ok", 1), new Order("retry", 2), new Order("drop", 3) };

        var response = await harness.Client.BulkPublishEventAsync(Backends.PubSubName, harness.Subscriber.Topic("bulk"), orders,
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(response.FailedEntries);
        await Eventually.UntilAsync(() => log.Attempts("bulk:retry") == 2, "the RETRY entry is delivered again");
        await Eventually.UntilAsync(() => log.On("dead").Count == 1, "the DROP entry reaches the dead-letter topic");
        Assert.Contains("\"drop\"", log.On("dead")[0].HandlerBody, StringComparison.Ordinal);
        Assert.Equal(1, log.Attempts("bulk:ok"));
        Assert.Equal(1, log.Attempts("bulk:drop"));
        var first = JsonSerializer.Deserialize<BulkSubscribeMessage<BulkMessageModel<Order>>>(log.On("bulk")[0].HandlerBody, JsonSerializerOptions.Web)!;
        Assert.Equal(harness.Subscriber.Topic("bulk"), first.Topic);
        Assert.All(first.Entries, e => Assert.False(string.IsNullOrEmpty(e.EntryId)));
        // Three entries, plus the one redelivery of the RETRY entry.
        Assert.Equal(4, log.On("bulk").Sum(d => JsonSerializer.Deserialize<BulkSubscribeMessage<BulkMessageModel<Order>>>(d.HandlerBody, JsonSerializerOptions.Web)!.Entries.Count));
    }

    [Theory]
    [MemberData(nameof(Backends.PubSubs), MemberType = typeof(Backends))]
    public async Task Item11_404_drops_500_and_RETRY_retry_DROP_dead_letters(string pubsub)
    {
        await using var harness = await Harness.StartAsync(pubsub, withApp: true, extraYaml: [Yaml.InboundRetry(Backends.PubSubName, maxRetries: 5)]);
        var log = harness.Subscriber.Log;
        var topic = harness.Subscriber.Topic("flaky");
        // Attempt 1: 500, attempt 2: RETRY, attempt 3: success — then the next message: 404, then the next: DROP.
        log.Answers["flaky"] = attempt => attempt switch
        {
            1 => (500, null),
            2 => (200, """{"status":"RETRY"}"""),
            3 => (200, """{"status":"SUCCESS"}"""),
            4 => (404, null),
            _ => (200, """{"status":"DROP"}"""),
        };

        await harness.Client.PublishEventAsync(Backends.PubSubName, topic, new Order("retried", 1), TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => log.Attempts("flaky") == 3, "500 and RETRY are retried until success", Retries);
        await harness.Client.PublishEventAsync(Backends.PubSubName, topic, new Order("not-found", 2), TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => log.On("dead").Count == 1, "404 drops the message to the dead-letter topic");
        await harness.Client.PublishEventAsync(Backends.PubSubName, topic, new Order("dropped", 3), TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => log.On("dead").Count == 2, "DROP sends the message to the dead-letter topic");

        Assert.Equal(5, log.Attempts("flaky")); // 404 and DROP were not retried
        Assert.Contains("not-found", log.On("dead")[0].HandlerBody, StringComparison.Ordinal);
        Assert.Contains("dropped", log.On("dead")[1].HandlerBody, StringComparison.Ordinal);
    }
}
