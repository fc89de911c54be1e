using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Veltrix.Sidecar.Tests.Delivery;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Publishing;

/// <summary>Contract §1.1–1.3: the CloudEvent a publish produces, as the subscriber receives it.</summary>
public abstract class EnvelopeTests(DeliveryFixture fixture)
{
    private async Task<JsonElement> PublishAndReceiveAsync(string body, string? contentType, string query = "", IDictionary<string, string>? headers = null,
        string topic = "envelope")
    {
        var marker = Guid.NewGuid().ToString("N");
        var before = fixture.App.On("/" + topic).Count;
        var response = await fixture.Api.PublishAsync("pubsub", topic, body.Replace("MARKER", marker, StringComparison.Ordinal), contentType, query, headers);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        ReceivedRequest? received = null;
        await Eventually.UntilAsync(() => (received = fixture.App.On("/" + topic).Skip(before).FirstOrDefault(r => r.BodyText.Contains(marker, StringComparison.Ordinal))) is not null,
            "the published event to arrive");
        Assert.Equal("application/cloudevents+json", received!.Headers["content-type"]);
        using var document = JsonDocument.Parse(received.Body);
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task Json_body_is_wrapped_in_a_new_envelope_with_every_attribute()
    {
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);
        var envelope = await PublishAndReceiveAsync("""{"orderId":7,"price":12.50,"marker":"MARKER"}""", "application/json");

        Assert.True(Guid.TryParse(envelope.GetProperty("id").GetString(), out _));
        Assert.Equal("deliveries", envelope.GetProperty("source").GetString());
        Assert.Equal("com.dapr.event.sent", envelope.GetProperty("type").GetString());
        Assert.Equal("1.0", envelope.GetProperty("specversion").GetString());
        Assert.Equal("application/json", envelope.GetProperty("datacontenttype").GetString());
        Assert.Equal("envelope", envelope.GetProperty("topic").GetString());
        Assert.Equal("pubsub", envelope.GetProperty("pubsubname").GetString());
        Assert.Equal("", envelope.GetProperty("traceid").GetString());
        Assert.Equal("", envelope.GetProperty("traceparent").GetString());
        Assert.Equal("", envelope.GetProperty("tracestate").GetString());
        var time = DateTimeOffset.Parse(envelope.GetProperty("time").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(time, started, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$", envelope.GetProperty("time").GetString());
        Assert.Equal(JsonValueKind.Object, envelope.GetProperty("data").ValueKind);
        Assert.Equal("12.50", envelope.GetProperty("data").GetProperty("price").GetRawText()); // number precision kept
        Assert.False(envelope.TryGetProperty("expiration", out _));
    }

    [Fact]
    public async Task Missing_content_type_means_text_plain_and_string_data()
    {
        var envelope = await PublishAndReceiveAsync("hello MARKER", contentType: null);
        Assert.Equal("text/plain", envelope.GetProperty("datacontenttype").GetString());
        Assert.StartsWith("hello ", envelope.GetProperty("data").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_json_declared_as_json_is_embedded_as_a_string()
    {
        var envelope = await PublishAndReceiveAsync("{not json MARKER", "application/json; charset=utf-8");
        Assert.Equal("application/json; charset=utf-8", envelope.GetProperty("datacontenttype").GetString());
        Assert.Equal(JsonValueKind.String, envelope.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task Octet_stream_goes_into_data_base64()
    {
        var payload = "bytes " + Guid.NewGuid().ToString("N");
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload));
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Api.PublishAsync("pubsub", "envelope", payload, "application/octet-stream")).StatusCode);
        ReceivedRequest? received = null;
        await Eventually.UntilAsync(() => (received = fixture.App.On("/envelope").FirstOrDefault(r => r.BodyText.Contains(encoded, StringComparison.Ordinal))) is not null,
            "the binary event");
        using var envelope = JsonDocument.Parse(received!.Body);
        Assert.Equal(encoded, envelope.RootElement.GetProperty("data_base64").GetString());
        Assert.Equal("application/octet-stream", envelope.RootElement.GetProperty("datacontenttype").GetString());
        Assert.False(envelope.RootElement.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task A_cloudevent_body_keeps_its_id_and_extensions_and_gets_topic_and_defaults()
    {
        var envelope = await PublishAndReceiveAsync(
            """{"specversion":"1.0","id":"my-id-MARKER","source":"billing","type":"invoice.paid","topic":"wrong","veltrixversion":"v3","data":{"a":1}}""",
            "application/cloudevents+json");
        Assert.StartsWith("my-id-", envelope.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("billing", envelope.GetProperty("source").GetString());
        Assert.Equal("invoice.paid", envelope.GetProperty("type").GetString());
        Assert.Equal("envelope", envelope.GetProperty("topic").GetString()); // always overwritten
        Assert.Equal("pubsub", envelope.GetProperty("pubsubname").GetString());
        Assert.Equal("v3", envelope.GetProperty("veltrixversion").GetString());
        Assert.True(envelope.TryGetProperty("time", out _));
    }

    [Fact]
    public async Task A_cloudevent_without_id_gets_defaults_but_no_id()
    {
        var envelope = await PublishAndReceiveAsync("""{"data":"MARKER"}""", "application/cloudevents+json");
        Assert.False(envelope.TryGetProperty("id", out _));
        Assert.Equal("Dapr", envelope.GetProperty("source").GetString());
        Assert.Equal("com.dapr.event.sent", envelope.GetProperty("type").GetString());
        Assert.Equal("1.0", envelope.GetProperty("specversion").GetString());
    }

    [Fact]
    public async Task A_cloudevent_body_that_is_not_an_object_is_refused()
    {
        var response = await fixture.Api.PublishAsync("pubsub", "envelope", "[1,2]", "application/cloudevents+json");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ERR_PUBSUB_CLOUD_EVENTS_SER", await SidecarApi.ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Cloudevent_metadata_overrides_the_generated_attributes()
    {
        var envelope = await PublishAndReceiveAsync("""{"m":"MARKER"}""", "application/json",
            "?metadata.cloudevent.id=fixed-id&metadata.cloudevent.type=answer.submitted&metadata.cloudevent.source=gateway&metadata.cloudevent.subject=s1");
        Assert.Equal("fixed-id", envelope.GetProperty("id").GetString());
        Assert.Equal("answer.submitted", envelope.GetProperty("type").GetString());
        Assert.Equal("gateway", envelope.GetProperty("source").GetString());
        Assert.Equal("s1", envelope.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Ttl_adds_an_expiration_in_the_future()
    {
        var envelope = await PublishAndReceiveAsync("""{"m":"MARKER"}""", "application/json", "?metadata.ttlInSeconds=60");
        var expiration = DateTimeOffset.Parse(envelope.GetProperty("expiration").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(expiration, DateTimeOffset.UtcNow.AddSeconds(50), DateTimeOffset.UtcNow.AddSeconds(61));
    }

    [Fact]
    public async Task Traceparent_from_the_publisher_is_carried_in_the_event_and_delivered_as_a_header()
    {
        const string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var marker = Guid.NewGuid().ToString("N");
        await fixture.Api.PublishAsync("pubsub", "headers", $$"""{"m":"{{marker}}"}""", "application/json", "?metadata.custom-key=custom-value",
            new Dictionary<string, string> { ["traceparent"] = traceparent });
        ReceivedRequest? received = null;
        await Eventually.UntilAsync(() => (received = fixture.App.On("/headers").FirstOrDefault(r => r.BodyText.Contains(marker, StringComparison.Ordinal))) is not null,
            "the traced event");
        using var document = JsonDocument.Parse(received!.Body);
        Assert.Equal(traceparent, document.RootElement.GetProperty("traceparent").GetString());
        Assert.Equal(traceparent, document.RootElement.GetProperty("traceid").GetString());
        Assert.Equal(traceparent, received.Headers["traceparent"]);
        Assert.Equal("pubsub", received.Headers["pubsubname"]);
        if (fixture.Broker == "memory")
            Assert.Equal("custom-value", received.Headers["custom-key"]); // in-memory passes publish metadata through as headers
        else
            Assert.False(received.Headers.ContainsKey("custom-key")); // RabbitMQ carries no publish metadata to the subscriber (daprd's default)
    }

    [Fact]
    public async Task Raw_payload_skips_the_envelope_and_a_raw_subscriber_gets_it_base64_wrapped()
    {
        var marker = Guid.NewGuid().ToString("N");
        var response = await fixture.Api.PublishAsync("pubsub", "raw", $"raw {marker}", "text/plain", "?metadata.rawPayload=true");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        ReceivedRequest? received = null;
        await Eventually.UntilAsync(() => (received = fixture.App.On("/raw").FirstOrDefault(r =>
        {
            using var doc = JsonDocument.Parse(r.Body);
            return Encoding.UTF8.GetString(Convert.FromBase64String(doc.RootElement.GetProperty("data_base64").GetString()!)) == $"raw {marker}";
        })) is not null, "the raw event");
        using var envelope = JsonDocument.Parse(received!.Body);
        Assert.Equal("application/octet-stream", envelope.RootElement.GetProperty("datacontenttype").GetString());
        Assert.Equal("raw", envelope.RootElement.GetProperty("topic").GetString());
    }

    [Fact]
    public async Task A_raw_payload_value_that_is_not_a_boolean_is_refused()
    {
        var response = await fixture.Api.PublishAsync("pubsub", "envelope", "{}", "application/json", "?metadata.rawPayload=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ERR_PUBSUB_REQUEST_METADATA", await SidecarApi.ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Unknown_pubsub_is_404_with_a_rich_error()
    {
        var response = await fixture.Api.PublishAsync("nope", "envelope", "{}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await SidecarApi.JsonAsync(response);
        Assert.Equal("ERR_PUBSUB_NOT_FOUND", body.GetProperty("errorCode").GetString());
        Assert.Equal("pubsub nope is not found", body.GetProperty("message").GetString());
        Assert.Equal("DAPR_PUBSUB_NOT_FOUND", body.GetProperty("details")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Put_publishes_like_post()
    {
        var envelope = await PublishAndReceiveAsync("""{"m":"MARKER"}""", "application/json");
        var marker = Guid.NewGuid().ToString("N");
        var response = await fixture.Api.PublishAsync("pubsub", "envelope", $$"""{"m":"{{marker}}"}""", method: HttpMethod.Put);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await Eventually.UntilAsync(() => fixture.App.On("/envelope").Any(r => r.BodyText.Contains(marker, StringComparison.Ordinal)), "the PUT event");
        Assert.Equal("envelope", envelope.GetProperty("topic").GetString());
    }
}

[Collection(nameof(DeliveryCollection))]
public sealed class InMemoryEnvelopeTests(DeliveryFixture fixture) : EnvelopeTests(fixture);

[Collection(nameof(RabbitMqDeliveryCollection))]
public sealed class RabbitMqEnvelopeTests(RabbitMqDeliveryFixture fixture) : EnvelopeTests(fixture);
