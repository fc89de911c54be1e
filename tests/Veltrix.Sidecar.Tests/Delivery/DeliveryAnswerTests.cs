using System.Net;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Delivery;

/// <summary>
/// Contract §2.3 and §6: how the app's answer is read, retried under the inbound policy, and dead-lettered — the same
/// on in-memory pub/sub and on RabbitMQ (every failing subscription here has a dead-letter topic, so the broker's own
/// after-failure semantics never come into play; those have their own tests).
/// </summary>
public abstract class DeliveryAnswerTests(DeliveryFixture fixture)
{
    private RecordingApp App => fixture.App;

    /// <summary>Publishes one event with a unique id and returns that id.</summary>
    private async Task<string> PublishAsync(string topic, string pubsub = "pubsub", string type = "test.event", string data = """{"n":1}""")
    {
        var id = Guid.NewGuid().ToString();
        var response = await fixture.Api.PublishAsync(pubsub, topic, data, "application/json", $"?metadata.cloudevent.id={id}&metadata.cloudevent.type={type}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return id;
    }

    private int Attempts(string path, string id) => App.On(path).Count(r => EventId(r) == id);

    private static string? EventId(ReceivedRequest request)
    {
        using var document = JsonDocument.Parse(request.Body);
        return document.RootElement.TryGetProperty("id", out var id) ? id.GetString() : null;
    }

    private Task DeadLetteredAsync(string topic, string id) =>
        Eventually.UntilAsync(() => Attempts($"/{topic}-dlq", id) == 1, $"event {id} to reach {topic}-dlq");

    [Fact]
    public async Task A_2xx_without_body_is_success_delivered_once_and_not_dead_lettered()
    {
        App.Respond("/success", (r, _) => (r.BodyText.Contains("sentinel", StringComparison.Ordinal) ? 200 : 204,
            r.BodyText.Contains("sentinel", StringComparison.Ordinal) ? """{"status":"DROP"}""" : null));
        var id = await PublishAsync("success");
        await Eventually.UntilAsync(() => Attempts("/success", id) == 1, "the delivery");
        var sentinel = await PublishAsync("success", data: """{"sentinel":true}""");
        await DeadLetteredAsync("success", sentinel);
        Assert.Equal(0, Attempts("/success-dlq", id));
        Assert.Equal(1, Attempts("/success", id));
    }

    [Fact]
    public async Task Retry_status_is_retried_by_the_policy_then_dead_lettered_with_the_same_event()
    {
        App.Respond("/retry", (_, _) => (200, """{"status":"RETRY"}"""));
        var id = await PublishAsync("retry");
        await DeadLetteredAsync("retry", id);
        Assert.Equal(3, Attempts("/retry", id)); // one attempt + maxRetries 2
        var dead = App.On("/retry-dlq").Single(r => EventId(r) == id);
        using var envelope = JsonDocument.Parse(dead.Body);
        Assert.Equal("retry", envelope.RootElement.GetProperty("topic").GetString()); // the original bytes, original topic
    }

    [Fact]
    public async Task Drop_status_is_not_retried_and_goes_to_the_dead_letter_topic()
    {
        App.Respond("/drop", (_, _) => (200, """{"status":"DROP"}"""));
        var id = await PublishAsync("drop");
        await DeadLetteredAsync("drop", id);
        Assert.Equal(1, Attempts("/drop", id));
    }

    [Fact]
    public async Task A_404_is_a_drop_not_a_retry()
    {
        App.Respond("/notfound", (_, _) => (404, null));
        var id = await PublishAsync("notfound");
        await DeadLetteredAsync("notfound", id);
        Assert.Equal(1, Attempts("/notfound", id));
    }

    [Fact]
    public async Task A_500_is_retried_by_the_policy()
    {
        App.Respond("/error500", (_, _) => (500, null));
        var id = await PublishAsync("error500");
        await DeadLetteredAsync("error500", id);
        Assert.Equal(3, Attempts("/error500", id));
    }

    [Fact]
    public async Task A_status_outside_matching_http_status_codes_is_not_retried()
    {
        App.Respond("/error400", (_, _) => (400, null));
        var id = await PublishAsync("error400");
        await DeadLetteredAsync("error400", id);
        Assert.Equal(1, Attempts("/error400", id)); // the policy matches 500-599 only
    }

    [Fact]
    public async Task A_500_that_recovers_is_delivered_without_dead_lettering()
    {
        App.Respond("/error500", (r, attempt) => r.BodyText.Contains("recovers", StringComparison.Ordinal) && App.On("/error500").Count(x => x.BodyText.Contains("recovers", StringComparison.Ordinal)) >= 2
            ? (200, null) : (500, null));
        var id = await PublishAsync("error500", data: """{"recovers":true}""");
        await Eventually.UntilAsync(() => Attempts("/error500", id) == 2, "the second attempt");
        var sentinel = await PublishAsync("error500");
        await DeadLetteredAsync("error500", sentinel);
        Assert.Equal(0, Attempts("/error500-dlq", id));
    }

    [Fact]
    public async Task Status_strings_are_case_sensitive_so_lowercase_success_is_retried()
    {
        App.Respond("/lowercase", (_, _) => (200, """{"status":"success"}"""));
        var id = await PublishAsync("lowercase");
        await DeadLetteredAsync("lowercase", id);
        Assert.Equal(3, Attempts("/lowercase", id));
    }

    [Fact]
    public async Task A_2xx_with_a_body_that_is_not_json_is_success()
    {
        App.Respond("/textbody", (r, _) => r.BodyText.Contains("sentinel", StringComparison.Ordinal) ? (404, null) : (200, "OK"));
        var id = await PublishAsync("textbody");
        await Eventually.UntilAsync(() => Attempts("/textbody", id) == 1, "the delivery");
        var sentinel = await PublishAsync("textbody", data: """{"sentinel":true}""");
        await DeadLetteredAsync("textbody", sentinel);
        Assert.Equal(0, Attempts("/textbody-dlq", id));
    }

    [Fact]
    public async Task Without_a_resiliency_policy_a_failure_is_attempted_once()
    {
        App.Respond("/plain-retry", (_, _) => (500, null));
        var id = await PublishAsync("plain-retry", pubsub: "plain");
        await DeadLetteredAsync("plain-retry", id);
        Assert.Equal(1, Attempts("/plain-retry", id));
    }

    [Fact]
    public async Task Exponential_retries_make_max_retries_plus_one_attempts()
    {
        App.Respond("/exponential", (_, _) => (503, null));
        var id = await PublishAsync("exponential", pubsub: "backoff");
        await DeadLetteredAsync("exponential", id);
        Assert.Equal(4, Attempts("/exponential", id));
    }

    [Fact]
    public async Task The_timeout_policy_cuts_each_attempt_and_retries()
    {
        var release = new TaskCompletionSource();
        App.RespondAsync("/timeout", async (_, _) =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return (200, null);
        });
        try
        {
            var id = await PublishAsync("timeout", pubsub: "slow");
            await DeadLetteredAsync("timeout", id);
            Assert.Equal(2, Attempts("/timeout", id)); // 100 ms per attempt, one retry
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task An_open_circuit_breaker_stops_calling_the_app()
    {
        App.Respond("/breaker", (_, _) => (500, null));
        App.Respond("/breaker-dlq", (_, _) => (500, null));
        var id = await PublishAsync("breaker", pubsub: "guarded");
        // The breaker trips after 2 consecutive failures; the remaining retries are refused without a call. The dead-letter
        // copy is refused by the same open breaker and the sidecar logs that it is discarded: that is the end of the story.
        await Eventually.UntilAsync(() => fixture.Sidecar.Output.Contains("topic breaker-dlq for deliveries failed", StringComparison.Ordinal), "the dead-letter copy to be refused");
        Assert.Equal(2, Attempts("/breaker", id));
        Assert.Equal(0, App.Count("/breaker-dlq"));
    }

    [Fact]
    public async Task Routing_rules_pick_the_first_matching_path_in_order()
    {
        var vip = await PublishAsync("rules", type: "vip", data: """{"tier":"gold"}""");
        var gold = await PublishAsync("rules", type: "plain", data: """{"tier":"gold"}""");
        var other = await PublishAsync("rules", type: "plain", data: """{"tier":"silver"}""");
        var untiered = await PublishAsync("rules", type: "plain", data: """{"x":1}""");
        await Eventually.UntilAsync(() => Attempts("/rules/vip", vip) == 1 && Attempts("/rules/gold", gold) == 1 && Attempts("/rules", other) == 1 && Attempts("/rules", untiered) == 1,
            "every event on its route");
        Assert.Equal(0, Attempts("/rules/gold", vip)); // first match wins
    }

    [Fact]
    public async Task No_matching_rule_and_no_default_drops_to_the_dead_letter_topic()
    {
        var id = await PublishAsync("noroute");
        await DeadLetteredAsync("noroute", id);
        Assert.Equal(0, App.Count("/noroute"));
    }

    [Fact]
    public async Task A_rule_that_reads_a_missing_key_is_an_error_that_dead_letters()
    {
        var id = await PublishAsync("evalerror");
        await DeadLetteredAsync("evalerror", id);
        Assert.Equal(0, App.Count("/evalerror"));
    }

    [Fact]
    public async Task An_expired_event_is_never_delivered_and_is_forwarded_to_the_dead_letter_topic()
    {
        var id = Guid.NewGuid().ToString();
        var response = await fixture.Api.PublishAsync("pubsub", "expiring",
            $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"t","type":"t","expiration":"2000-01-01T00:00:00Z","data":{}}""", "application/cloudevents+json");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        // The dead-letter copy carries the same expiration, so its subscription drops it too, exactly as daprd would.
        await Eventually.UntilAsync(() => fixture.Sidecar.Output.Contains("message on topic expiring-dlq dropped: the message expired", StringComparison.Ordinal),
            "the expired event to be forwarded to expiring-dlq and dropped there");
        Assert.Equal(0, Attempts("/expiring", id));
        Assert.Equal(0, Attempts("/expiring-dlq", id));
    }

    [Fact]
    public async Task Declarative_subscriptions_of_both_api_versions_deliver_and_scopes_are_honoured()
    {
        var v2 = await PublishAsync("declared");
        var v1 = await PublishAsync("declared-v1");
        await Eventually.UntilAsync(() => Attempts("/declared", v2) == 1 && Attempts("/declared-v1", v1) == 1, "both declarative deliveries");
        Assert.Equal(0, App.Count("/not-for-us"));
    }
}

[Collection(nameof(DeliveryCollection))]
public sealed class InMemoryDeliveryAnswerTests(DeliveryFixture fixture) : DeliveryAnswerTests(fixture);

[Collection(nameof(RabbitMqDeliveryCollection))]
public sealed class RabbitMqDeliveryAnswerTests(RabbitMqDeliveryFixture fixture) : DeliveryAnswerTests(fixture);
