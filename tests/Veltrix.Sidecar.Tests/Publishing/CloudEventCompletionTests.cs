using System.Text;
using System.Text.Json;
using Veltrix.Sidecar.CloudEvents;

namespace Veltrix.Sidecar.Tests.Publishing;

/// <summary>
/// Completing a CloudEvent a publisher built (content type application/cloudevents+json), member by member: what the
/// body has is kept byte for byte and in its place, topic and pubsubname are the publish's own, and what is missing is
/// appended in daprd's order. (EnvelopeTests checks the same rules end to end through the sidecar's APIs.)
/// </summary>
public sealed class CloudEventCompletionTests
{
    private static readonly EnvelopeContext Context = new("publisher", "pubsub", "orders", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "vendor=1", new Dictionary<string, string>(), new DateTimeOffset(2026, 12, 3, 7, 0, 0, TimeSpan.Zero));

    private static string Complete(string body) => Encoding.UTF8.GetString(CloudEventEnvelope.Complete(Encoding.UTF8.GetBytes(body), Context));

    [Fact]
    public void A_minimal_event_keeps_its_members_in_place_and_gets_the_missing_attributes_appended_in_order()
    {
        Assert.Equal(
            """{"id":"e-1","data":{"b":[1,2,{"c":null}],"a":"x"},"topic":"orders","pubsubname":"pubsub","time":"2026-12-03T07:00:00Z","traceid":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","tracestate":"vendor=1","source":"Dapr","type":"com.dapr.event.sent","specversion":"1.0"}""",
            Complete("""{ "id": "e-1", "data": { "b": [1, 2, {"c": null}], "a": "x" } }""").Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Topic_and_pubsubname_are_replaced_where_they_stand_and_what_the_publisher_set_is_kept()
    {
        Assert.Equal(
            """{"topic":"orders","id":"e-2","pubsubname":"pubsub","source":"hunt","type":"answer.submitted","specversion":"1.0","time":"2020-01-01T00:00:00Z","traceid":"mine","traceparent":"mine-too","tracestate":"","x-ext":1.50}""",
            Complete("""{"topic":"elsewhere","id":"e-2","pubsubname":"other","source":"hunt","type":"answer.submitted","specversion":"1.0","time":"2020-01-01T00:00:00Z","traceid":"mine","traceparent":"mine-too","tracestate":"","x-ext":1.50}"""));
    }

    [Fact]
    public void Without_a_traceid_the_traceparent_the_body_has_is_replaced_in_place_and_a_traceid_appended()
    {
        var completed = JsonDocument.Parse(Complete("""{"traceparent":"stale","id":"e-3"}""")).RootElement;
        Assert.Equal(["traceparent", "id", "topic", "pubsubname", "time", "traceid", "tracestate", "source", "type", "specversion"],
            completed.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Context.TraceParent, completed.GetProperty("traceparent").GetString());
        Assert.Equal(Context.TraceParent, completed.GetProperty("traceid").GetString());
    }

    [Fact]
    public void Escaped_names_and_strings_keep_their_meaning()
    {
        var completed = JsonDocument.Parse(Complete("""{"id":"caf\u00e9 \"q\"","d\u0061ta":"<b>","top\u0069c":"x"}""")).RootElement;
        Assert.Equal("café \"q\"", completed.GetProperty("id").GetString());
        Assert.Equal("<b>", completed.GetProperty("data").GetString());
        Assert.Equal("orders", completed.GetProperty("topic").GetString()); // an escaped name is still the topic attribute
        Assert.Single(completed.EnumerateObject(), p => p.Name == "topic");
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("{\"id\":1")]
    [InlineData("{\"id\":1} {\"id\":2}")]
    [InlineData("")]
    public void A_body_that_is_not_one_JSON_object_is_refused(string body)
    {
        Assert.Throws<FormatException>(() => Complete(body));
    }

    [Fact]
    public void Events_completed_one_after_another_on_a_thread_share_nothing_even_after_a_refused_or_a_large_one()
    {
        // The envelope is written into a buffer the thread reuses: no event may carry bytes of the one before it.
        var first = CloudEventEnvelope.Complete("""{"id":"first","data":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"""u8, Context);
        Assert.Throws<FormatException>(() => Complete("""{"id":"broken","data":"""));
        var large = new string('x', 200_000);
        var big = JsonDocument.Parse(Complete($$"""{"id":"big","data":"{{large}}"}""")).RootElement;
        var small = JsonDocument.Parse(Complete("""{"id":"small"}""")).RootElement;

        Assert.Equal("first", JsonDocument.Parse(first).RootElement.GetProperty("id").GetString()); // still intact afterwards
        Assert.Equal(large, big.GetProperty("data").GetString());
        Assert.Equal(["id", "topic", "pubsubname", "time", "traceid", "traceparent", "tracestate", "source", "type", "specversion"],
            small.EnumerateObject().Select(p => p.Name));
    }
}
