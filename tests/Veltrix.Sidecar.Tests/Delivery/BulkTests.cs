using System.Net;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Delivery;

/// <summary>Contract §1.4 and §2.4: bulk publish and bulk subscribe delivery with per-entry outcomes, on each pub/sub.</summary>
public abstract class BulkTests : IAsyncLifetime
{
    private RecordingApp _app = null!;
    private ResourcesFolder _resources = null!;
    private SidecarProcess _sidecar = null!;
    private SidecarApi _api = null!;

    /// <summary>The component under test, named `pubsub`.</summary>
    protected abstract string PubSubYaml();

    public async ValueTask InitializeAsync()
    {
        _app = await RecordingApp.StartAsync("""
            [{"pubsubname":"pubsub","topic":"batch","route":"/batch","bulkSubscribe":{"enabled":true,"maxMessagesCount":100,"maxAwaitDurationMs":200},"deadLetterTopic":"batch-dlq"},
             {"pubsubname":"pubsub","topic":"batch-dlq","route":"/batch-dlq"},
             {"pubsubname":"pubsub","topic":"single","route":"/single"},
             {"pubsubname":"pubsub","topic":"gone","route":"/gone","bulkSubscribe":{"enabled":true,"maxMessagesCount":10,"maxAwaitDurationMs":100},"deadLetterTopic":"gone-dlq"},
             {"pubsubname":"pubsub","topic":"gone-dlq","route":"/gone-dlq"},
             {"pubsubname":"pubsub","topic":"window","route":"/window","bulkSubscribe":{"enabled":true,"maxMessagesCount":100,"maxAwaitDurationMs":600000}},
             {"pubsubname":"pubsub","topic":"serial","route":"/serial","bulkSubscribe":{"enabled":true,"maxMessagesCount":100,"maxAwaitDurationMs":1}}]
            """);
        _resources = new ResourcesFolder(PubSubYaml(), Yaml.InboundRetry("pubsub", maxRetries: 2));
        _sidecar = await SidecarProcess.StartForAppAsync("bulk", _app.Port, [_resources.Path]);
        _api = new SidecarApi(_sidecar.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _sidecar.DisposeAsync();
        await _app.DisposeAsync();
        _resources.Dispose();
    }

    private static IEnumerable<JsonElement> Entries(ReceivedRequest request)
    {
        using var document = JsonDocument.Parse(request.Body);
        return document.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static string Number(JsonElement entry) => entry.GetProperty("event").GetProperty("data").GetProperty("n").GetRawText();

    [Fact]
    public async Task Bulk_publish_of_mixed_content_types_wraps_each_entry()
    {
        var response = await _api.PostJsonAsync("/v1.0-alpha1/publish/bulk/pubsub/single", """
            [{"entryId":"1","event":"plain text","contentType":"text/plain"},
             {"entryId":"2","event":{"orderId":1},"contentType":"application/json"},
             {"entryId":"3","event":"AAEC","contentType":"application/octet-stream"},
             {"entryId":"4","event":{"specversion":"1.0","id":"custom-4","source":"s","type":"t","data":{}},"contentType":"application/cloudevents+json"}]
            """);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await Eventually.UntilAsync(() => _app.Count("/single") == 4, "four deliveries");
        var bodies = _app.On("/single").Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Contains(bodies, b => b.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String && d.GetString() == "plain text");
        Assert.Contains(bodies, b => b.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty("orderId", out var id) && id.GetInt32() == 1);
        Assert.Contains(bodies, b => b.TryGetProperty("data_base64", out var d) && d.GetString() == "AAEC");
        Assert.Contains(bodies, b => b.GetProperty("id").GetString() == "custom-4");
    }

    [Fact]
    public async Task The_stable_bulk_publish_path_works_too()
    {
        var response = await _api.PostJsonAsync("/v1.0/publish/bulk/pubsub/single", """[{"entryId":"a","event":{"x":1},"contentType":"application/json"}]""");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await Eventually.UntilAsync(() => _app.Count("/single") == 1, "the delivery");
    }

    [Theory]
    [InlineData("""[{"entryId":"1","event":{}},{"entryId":"1","event":{}}]""", "DAPR_PUBSUB_MARSHAL_EVENTS")]
    [InlineData("""[{"event":{}}]""", "DAPR_PUBSUB_MARSHAL_EVENTS")]
    [InlineData("""[{"entryId":"1","event":{"not":"text"},"contentType":"text/plain"}]""", "DAPR_PUBSUB_MARSHAL_EVENTS")]
    [InlineData("""[{"entryId":"1","event":"x","contentType":"image/png"}]""", "DAPR_PUBSUB_MARSHAL_EVENTS")]
    [InlineData("""{"entryId":"1"}""", "DAPR_PUBSUB_UNMARSHAL_EVENTS")]
    public async Task Invalid_bulk_requests_are_400_events_ser(string body, string reason)
    {
        var response = await _api.PostJsonAsync("/v1.0-alpha1/publish/bulk/pubsub/single", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await SidecarApi.JsonAsync(response);
        Assert.Equal("ERR_PUBSUB_EVENTS_SER", error.GetProperty("errorCode").GetString());
        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.TryGetProperty("reason", out var r) && r.GetString() == reason);
    }

    [Fact]
    public async Task Bulk_publish_to_an_unknown_pubsub_is_404()
    {
        var response = await _api.PostJsonAsync("/v1.0-alpha1/publish/bulk/nope/single", """[{"entryId":"1","event":{}}]""");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("ERR_PUBSUB_NOT_FOUND", await SidecarApi.ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Bulk_subscribe_batches_events_and_settles_each_entry_by_its_status()
    {
        // n % 10 == 0 → DROP (dead letter), n % 10 == 1 → RETRY the first time only, the rest SUCCESS.
        var seenRetry = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        _app.Respond("/batch", (request, _) =>
        {
            var statuses = Entries(request).Select(entry =>
            {
                var n = int.Parse(Number(entry), System.Globalization.CultureInfo.InvariantCulture);
                var id = entry.GetProperty("entryId").GetString()!;
                var status = (n % 10) switch
                {
                    0 => "DROP",
                    1 when seenRetry.AddOrUpdate(Number(entry), 1, (_, c) => c + 1) == 1 => "RETRY",
                    _ => "SUCCESS",
                };
                return $$"""{"entryId":"{{id}}","status":"{{status}}"}""";
            });
            return (200, """{"statuses":[""" + string.Join(",", statuses) + "]}");
        });
        var entries = Enumerable.Range(1, 250).Select(n => $$"""{"entryId":"e{{n}}","event":{"n":{{n}}},"contentType":"application/json"}""");
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostJsonAsync("/v1.0-alpha1/publish/bulk/pubsub/batch", "[" + string.Join(",", entries) + "]")).StatusCode);

        await Eventually.UntilAsync(() => _app.Count("/batch-dlq") == 25 && _app.On("/batch").SelectMany(Entries).Count() >= 275,
            "the 25 dropped entries in the dead-letter topic and the 25 retried ones delivered again");
        var delivered = _app.On("/batch").SelectMany(Entries).Select(Number).ToList();
        Assert.Equal(250, delivered.Distinct().Count());
        Assert.Equal(250 + 25, delivered.Count); // only the 25 RETRY entries came twice
        Assert.All(_app.On("/batch"), r => Assert.InRange(Entries(r).Count(), 1, 100));
        Assert.True(_app.Count("/batch") < 250 / 10, "events arrive in batches, not one by one");
        Assert.Contains(_app.On("/batch"), r => Entries(r).Count() > 1);
        var first = _app.On("/batch").First();
        using var request = JsonDocument.Parse(first.Body);
        Assert.Equal("com.dapr.event.sent.bulk", request.RootElement.GetProperty("type").GetString());
        Assert.Equal("application/cloudevents+json", Entries(first).First().GetProperty("contentType").GetString());
    }

    [Fact]
    public async Task An_idle_subscriber_gets_waiting_events_without_the_batch_window()
    {
        // A ten-minute window: waiting for it would outlast the test's deadline. A batch is what is waiting when the
        // subscription's delivery is free, with no window; maxAwaitDurationMs is a maximum.
        _app.Respond("/window", (request, _) => (200, """{"statuses":[""" +
            string.Join(",", Entries(request).Select(e => $$"""{"entryId":"{{e.GetProperty("entryId").GetString()}}","status":"SUCCESS"}""")) + "]}"));
        await _api.PostJsonAsync("/v1.0-alpha1/publish/bulk/pubsub/window", """[{"entryId":"1","event":{"n":1}},{"entryId":"2","event":{"n":2}}]""");
        await Eventually.UntilAsync(() => _app.On("/window").SelectMany(Entries).Count() == 2, "both events, long before the window closes");
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostJsonAsync("/v1.0/publish/pubsub/window", """{"n":3}""")).StatusCode);
        await Eventually.UntilAsync(() => _app.On("/window").SelectMany(Entries).Count() == 3, "a later event too, once the subscriber is idle again");
        Assert.Equal(["1", "2", "3"], _app.On("/window").SelectMany(Entries).Select(Number).Order().ToArray());
    }

    [Fact]
    public async Task A_bulk_subscription_has_one_delivery_in_flight_and_what_waited_meanwhile_comes_next()
    {
        // As daprd's default bulk subscriber: the app answers one batch before it gets the next. The first delivery is
        // held until five more events have been accepted one by one; with more deliveries in flight they would have gone
        // out beside it.
        var inFlight = 0;
        var mostInFlight = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _app.RespondAsync("/serial", async (request, _) =>
        {
            InterlockedMax(ref mostInFlight, Interlocked.Increment(ref inFlight));
            if (Entries(request).Any(e => Number(e) == "0")) await release.Task;
            Interlocked.Decrement(ref inFlight);
            return (200, """{"statuses":[""" +
                string.Join(",", Entries(request).Select(e => $$"""{"entryId":"{{e.GetProperty("entryId").GetString()}}","status":"SUCCESS"}""")) + "]}");
        });
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostJsonAsync("/v1.0/publish/pubsub/serial", """{"n":0}""")).StatusCode);
        await Eventually.UntilAsync(() => _app.Count("/serial") == 1, "the first delivery, held by the app");
        for (var n = 1; n <= 5; n++)
            Assert.Equal(HttpStatusCode.NoContent, (await _api.PostJsonAsync("/v1.0/publish/pubsub/serial", $$"""{"n":{{n}}}""")).StatusCode);
        release.SetResult();

        await Eventually.UntilAsync(() => _app.On("/serial").SelectMany(Entries).Count() == 6, "all six events");
        Assert.Equal(1, mostInFlight);
        Assert.Equal(["0", "1", "2", "3", "4", "5"], _app.On("/serial").SelectMany(Entries).Select(Number).Order().ToArray());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }

    [Fact]
    public async Task A_404_to_a_bulk_delivery_discards_every_entry_without_dead_lettering()
    {
        _app.Respond("/gone", (request, _) => request.BodyText.Contains("sentinel", StringComparison.Ordinal) ? (200, "{}") : (404, null));
        await _api.PostJsonAsync("/v1.0-alpha1/publish/bulk/pubsub/gone", """[{"entryId":"1","event":{"n":1}},{"entryId":"2","event":{"n":2}}]""");
        await Eventually.UntilAsync(() => _app.On("/gone").SelectMany(Entries).Count() >= 2, "the bulk delivery");
        // A 2xx with no statuses means RETRY for every entry; after the policy's retries the sentinel is dead-lettered.
        await _api.PostJsonAsync("/v1.0-alpha1/publish/bulk/pubsub/gone", """[{"entryId":"s","event":{"sentinel":true}}]""");
        await Eventually.UntilAsync(() => _app.Count("/gone-dlq") >= 1, "the sentinel in the dead-letter topic");
        Assert.Equal(1, _app.Count("/gone-dlq"));
        Assert.Contains("sentinel", _app.On("/gone-dlq").Single().BodyText, StringComparison.Ordinal);
        Assert.Equal(3, _app.On("/gone").Count(r => r.BodyText.Contains("sentinel", StringComparison.Ordinal)));
    }
}

public sealed class InMemoryBulkTests : BulkTests
{
    protected override string PubSubYaml() => Yaml.InMemoryPubSub();
}

public sealed class RabbitMqBulkTests : BulkTests
{
    protected override string PubSubYaml() => Yaml.RabbitMqPubSub("pubsub", ("publisherConfirm", "true"));
}
