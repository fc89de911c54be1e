using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.AspNetCore;
using Veltrix.Events.Subscribing;

namespace Veltrix.Events.Tests.Runtime;

public sealed record Reading(string SensorId, int Value);

/// <summary>
/// One handler shape for every delivery: a bulk delivery and a single CloudEvent both reach the service's handler as
/// a list of events with id and data, and the sidecar gets the handler's SUCCESS/RETRY/DROP back in its own format.
/// An entry that cannot be read is DROP on its own and never reaches the handler or fails its batch.
/// </summary>
public sealed class TypedHandlerTests : IAsyncLifetime
{
    private const string Yaml = """
        apiVersion: veltrix.io/v1alpha1
        kind: EventConfiguration
        metadata:
          name: sensors
        spec:
          events:
            - type: reading.taken
              schema: {sensorId: string, value: integer}
              pubsub: bus
              topic: readings
              producers: [sensor]
              consumers:
                - app: monitor
                  route: /events/readings
                  bulk: {maxMessages: 100, maxAwaitMs: 10}
            - type: alert.raised
              schema: {sensorId: string, value: integer}
              pubsub: bus
              topic: alerts
              producers: [sensor]
              consumers:
                - app: monitor
                  route: /events/alerts
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ConcurrentQueue<IReadOnlyList<IncomingEvent<Reading>>> _batches = new();
    private readonly ConcurrentQueue<IncomingEvent<Reading>> _alerts = new();
    private ConsumerApp _app = null!;

    public async ValueTask InitializeAsync() =>
        _app = await ConsumerApp.StartAsync("monitor", Yaml, events => events
            .Handle<Reading>("reading.taken", (IReadOnlyList<IncomingEvent<Reading>> batch, TimeProvider time, CancellationToken cancellationToken) =>
            {
                _batches.Enqueue(batch);
                // Odd values are asked for again: each entry answers for itself.
                return batch.Select(e => e.Data.Value % 2 == 0 ? BulkSubscribeAppResponseStatus.SUCCESS : BulkSubscribeAppResponseStatus.RETRY).ToList();
            })
            .Handle<Reading>("alert.raised", async (IReadOnlyList<IncomingEvent<Reading>> batch, CancellationToken cancellationToken) =>
            {
                await Task.Yield();
                foreach (var alert in batch) _alerts.Enqueue(alert);
                return batch.Select(e => e.Data.Value > 100 ? BulkSubscribeAppResponseStatus.DROP : BulkSubscribeAppResponseStatus.SUCCESS).ToArray();
            }));

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task A_bulk_of_fifty_good_entries_and_one_unreadable_answers_fifty_SUCCESS_and_one_DROP()
    {
        var entries = Enumerable.Range(0, 50)
            .Select(i => ($"e{i}", ConsumerApp.CloudEvent($"reading-{i}", "reading.taken", $$"""{"sensorId":"s{{i}}","value":{{i * 2}}}""", "sensors", 3)))
            .ToList();
        entries.Insert(17, ("bad", ConsumerApp.CloudEvent("reading-bad", "reading.taken", """{"sensorId":"s","value":"not a number"}""")));

        var response = await _app.Http.PostAsync("/events/readings", new StringContent(ConsumerApp.Bulk("readings", entries), Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var statuses = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("statuses").EnumerateArray()
            .ToDictionary(s => s.GetProperty("entryId").GetString()!, s => s.GetProperty("status").GetString());
        Assert.Equal(51, statuses.Count);
        Assert.Equal("DROP", statuses["bad"]);
        Assert.Equal(50, statuses.Count(s => s.Key != "bad" && s.Value == "SUCCESS"));
        // The handler saw the fifty readable events once, in order, with their CloudEvent ids and version stamp.
        var batch = Assert.Single(_batches);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"reading-{i}"), batch.Select(e => e.Id));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"e{i}"), batch.Select(e => e.EntryId));
        Assert.All(batch, e => Assert.Equal(("sensors", "3"), (e.Configuration, e.Version)));
        Assert.Equal(98, batch[^1].Data.Value);
    }

    [Fact]
    public async Task Each_entry_of_a_bulk_gets_the_handlers_own_status()
    {
        var entries = new[] { ("a", """{"sensorId":"s","value":2}"""), ("b", """{"sensorId":"s","value":3}"""), ("c", "null") }
            .Select(e => (e.Item1, ConsumerApp.CloudEvent($"id-{e.Item1}", "reading.taken", e.Item2)));

        var response = await _app.Http.PostAsync("/events/readings", new StringContent(ConsumerApp.Bulk("readings", entries), Encoding.UTF8, "application/json"), Ct);

        var statuses = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("statuses").EnumerateArray()
            .Select(s => (s.GetProperty("entryId").GetString(), s.GetProperty("status").GetString())).ToList();
        Assert.Equal([("a", "SUCCESS"), ("b", "RETRY"), ("c", "DROP")], statuses);
    }

    [Fact]
    public async Task A_single_CloudEvent_delivery_is_a_batch_of_one_and_answers_with_its_status()
    {
        var ok = await PostCloudEventAsync("/events/alerts", ConsumerApp.CloudEvent("alert-1", "alert.raised", """{"sensorId":"s1","value":50}""", "sensors", 7));
        var dropped = await PostCloudEventAsync("/events/alerts", ConsumerApp.CloudEvent("alert-2", "alert.raised", """{"sensorId":"s1","value":500}"""));

        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), ok);
        Assert.Equal((HttpStatusCode.OK, "DROP"), dropped);
        var first = _alerts.First(a => a.Id == "alert-1");
        Assert.Equal(("alert-1", "s1", 50, "sensors", "7"), (first.EntryId, first.Data.SensorId, first.Data.Value, first.Configuration, first.Version));
    }

    [Fact]
    public async Task A_single_delivery_whose_data_cannot_be_read_is_dropped_without_reaching_the_handler()
    {
        var answer = await PostCloudEventAsync("/events/alerts", ConsumerApp.CloudEvent("alert-bad", "alert.raised", """["not","an","object"]"""));

        Assert.Equal((HttpStatusCode.OK, "DROP"), answer);
        Assert.DoesNotContain(_alerts, a => a.Id == "alert-bad");
    }

    [Fact]
    public async Task A_raw_delivery_that_is_not_JSON_is_dropped_rather_than_retried_forever()
    {
        var response = await _app.Http.PostAsync("/events/readings", new StringContent("not json at all", Encoding.UTF8, "application/octet-stream"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("DROP", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        Assert.Empty(_batches);
    }

    [Fact]
    public void A_handler_without_the_batch_or_with_another_result_is_refused_when_it_is_registered()
    {
        var handlers = new EventHandlers();
        Assert.Throws<ArgumentException>(() => handlers.Handle<Reading>("a", (Reading single) => BulkSubscribeAppResponseStatus.SUCCESS));
        Assert.Throws<ArgumentException>(() => handlers.Handle<Reading>("b", (IReadOnlyList<IncomingEvent<Reading>> batch) => "SUCCESS"));
        handlers.Handle<Reading>("c", (IReadOnlyList<IncomingEvent<Reading>> batch) => new List<BulkSubscribeAppResponseStatus>());
        Assert.Throws<ArgumentException>(() => handlers.Handle<Reading>("c", (IReadOnlyList<IncomingEvent<Reading>> batch) => new List<BulkSubscribeAppResponseStatus>()));
    }

    private async Task<(HttpStatusCode, string?)> PostCloudEventAsync(string path, string cloudEvent)
    {
        var response = await _app.Http.PostAsync(path, new StringContent(cloudEvent, Encoding.UTF8, "application/cloudevents+json"), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (response.StatusCode, body.GetProperty("status").GetString());
    }
}
