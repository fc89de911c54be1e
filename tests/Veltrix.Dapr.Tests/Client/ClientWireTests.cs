using System.Net;
using System.Text.Json;
using Veltrix.Dapr.Client;
using Veltrix.Dapr.Tests.Infrastructure;

namespace Veltrix.Dapr.Tests.Client;

/// <summary>What the client puts on the wire and how it reads answers, against a fake sidecar that records every byte.</summary>
public sealed class ClientWireTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publish_sends_json_to_the_topic_path_with_escaped_segments_and_metadata_query()
    {
        await using var fake = await FakeSidecar.StartAsync();
        var client = DaprTestClients.For(fake.BaseAddress, apiToken: "s3cret");

        await client.PublishEventAsync("pubsub", "orders/eu west", new Order("o-1", 2),
            new Dictionary<string, string> { [PubSubMetadata.TtlInSeconds] = "30", [PubSubMetadata.CloudEventId] = "id&1=x" }, Ct);

        var request = Assert.Single(fake.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1.0/publish/pubsub/orders/eu%20west?metadata.ttlInSeconds=30&metadata.cloudevent.id=id%261%3Dx", request.RawTarget);
        Assert.Equal("application/json", request.Headers["content-type"]);
        Assert.Equal("s3cret", request.Headers["dapr-api-token"]);
        Assert.Equal("""{"orderId":"o-1","quantity":2}""", request.Body);
    }

    [Fact]
    public async Task Publish_bytes_keeps_the_content_type_and_no_token_is_sent_when_none_is_configured()
    {
        await using var fake = await FakeSidecar.StartAsync();
        var client = DaprTestClients.For(fake.BaseAddress);

        await client.PublishByteEventAsync("pubsub", "raw", "hello"u8.ToArray(), "text/plain", PubSubMetadata.Raw(), Ct);

        var request = Assert.Single(fake.Requests);
        Assert.Equal("/v1.0/publish/pubsub/raw?metadata.rawPayload=true", request.RawTarget);
        Assert.Equal("text/plain", request.Headers["content-type"]);
        Assert.False(request.Headers.ContainsKey("dapr-api-token"));
        Assert.Equal("hello", request.Body);
    }

    [Fact]
    public async Task State_save_sends_one_item_array_with_etag_and_options()
    {
        await using var fake = await FakeSidecar.StartAsync();
        var client = DaprTestClients.For(fake.BaseAddress);

        var saved = await client.TrySaveStateAsync("statestore", "order/1", new Order("o-1", 1), "etag-7",
            new StateOptions { Concurrency = ConcurrencyMode.FirstWrite, Consistency = ConsistencyMode.Strong },
            new Dictionary<string, string> { ["ttlInSeconds"] = "60" }, Ct);

        Assert.True(saved);
        var request = Assert.Single(fake.Requests);
        Assert.Equal("/v1.0/state/statestore", request.RawTarget);
        using var body = JsonDocument.Parse(request.Body);
        var item = Assert.Single(body.RootElement.EnumerateArray().ToList());
        Assert.Equal("order/1", item.GetProperty("key").GetString());
        Assert.Equal("o-1", item.GetProperty("value").GetProperty("orderId").GetString());
        Assert.Equal("etag-7", item.GetProperty("etag").GetString());
        Assert.Equal("60", item.GetProperty("metadata").GetProperty("ttlInSeconds").GetString());
        Assert.Equal("first-write", item.GetProperty("options").GetProperty("concurrency").GetString());
        Assert.Equal("strong", item.GetProperty("options").GetProperty("consistency").GetString());
    }

    [Fact]
    public async Task Delete_with_etag_sends_if_match_and_concurrency_and_escapes_the_key()
    {
        await using var fake = await FakeSidecar.StartAsync();
        var client = DaprTestClients.For(fake.BaseAddress);

        await client.TryDeleteStateAsync("statestore", "a/b c", "9f1c", new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: Ct);

        var request = Assert.Single(fake.Requests);
        Assert.Equal("DELETE", request.Method);
        Assert.Equal("/v1.0/state/statestore/a%2Fb%20c?concurrency=first-write", request.RawTarget);
        Assert.Equal("9f1c", request.Headers["if-match"]);
    }

    [Fact]
    public async Task Conflict_on_save_is_a_distinct_exception_and_try_save_answers_false()
    {
        await using var fake = await FakeSidecar.StartAsync();
        fake.Respond(_ => (409, "application/json", """{"errorCode":"ERR_STATE_SAVE","message":"failed saving state in state store statestore: possible etag mismatch. error from state store: ETag mismatch"}"""));
        var client = DaprTestClients.For(fake.BaseAddress);

        var conflict = await Assert.ThrowsAsync<DaprStateConflictException>(() =>
            client.SaveStateAsync("statestore", "k", 1, new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("ERR_STATE_SAVE", conflict.ErrorCode);
        Assert.Equal("statestore", conflict.StoreName);
        Assert.Equal("k", conflict.Key);
        Assert.Contains("etag mismatch", conflict.Message, StringComparison.Ordinal);

        Assert.False(await client.TrySaveStateAsync("statestore", "k", 1, "old", cancellationToken: Ct));
        Assert.False(await client.TryDeleteStateAsync("statestore", "k", "old", cancellationToken: Ct));
    }

    [Fact]
    public async Task Rich_error_body_gives_status_code_message_and_details()
    {
        await using var fake = await FakeSidecar.StartAsync();
        fake.Respond(_ => (404, "application/json", """
            {"errorCode":"ERR_PUBSUB_NOT_FOUND","message":"pubsub nope is not found",
             "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"DAPR_PUBSUB_NOT_FOUND","domain":"dapr.io","metadata":{}}]}
            """));
        var client = DaprTestClients.For(fake.BaseAddress);

        var error = await Assert.ThrowsAsync<DaprApiException>(() => client.PublishEventAsync("nope", "orders", 1, Ct));

        Assert.IsNotType<DaprStateConflictException>(error);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("ERR_PUBSUB_NOT_FOUND", error.ErrorCode);
        Assert.Equal("pubsub nope is not found", error.SidecarMessage);
        Assert.Equal("DAPR_PUBSUB_NOT_FOUND", error.Details!.Value[0].GetProperty("reason").GetString());
        Assert.Contains("ERR_PUBSUB_NOT_FOUND", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_text_and_empty_error_bodies_are_reported_without_a_code()
    {
        await using var fake = await FakeSidecar.StartAsync();
        fake.Respond(request => request.RawTarget.Contains("metadata", StringComparison.Ordinal)
            ? (401, "text/plain", "invalid api token")
            : (500, null, ""));
        var client = DaprTestClients.For(fake.BaseAddress);

        var unauthorized = await Assert.ThrowsAsync<DaprApiException>(() => client.GetMetadataAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Null(unauthorized.ErrorCode);
        Assert.Equal("invalid api token", unauthorized.SidecarMessage);
        Assert.Contains("DAPR_API_TOKEN", unauthorized.Message, StringComparison.Ordinal);

        var empty = await Assert.ThrowsAsync<DaprApiException>(() => client.DeleteStateAsync("statestore", "k", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.InternalServerError, empty.StatusCode);
        Assert.Null(empty.ErrorCode);
        Assert.Null(empty.SidecarMessage);
    }

    [Fact]
    public async Task Bulk_publish_partial_failure_returns_the_failed_entries_instead_of_throwing()
    {
        await using var fake = await FakeSidecar.StartAsync();
        fake.Respond(_ => (500, "application/json", """{"failedEntries":[{"entryId":"b","error":"broker said no"}],"errorCode":"ERR_PUBSUB_PUBLISH_MESSAGE"}"""));
        var client = DaprTestClients.For(fake.BaseAddress);
        BulkPublishEntry<Order>[] entries =
        [
            new("a", new Order("o-a", 1)),
            new("b", new Order("o-b", 2), "application/json", new Dictionary<string, string> { ["ttlInSeconds"] = "5" }),
        ];

        var response = await client.BulkPublishEventAsync("pubsub", "orders", entries, cancellationToken: Ct);

        var failed = Assert.Single(response.FailedEntries);
        Assert.Same(entries[1], failed.Entry);
        Assert.Equal("broker said no", failed.ErrorMessage);
        Assert.False(response.AllSucceeded);

        var request = Assert.Single(fake.Requests);
        Assert.Equal("/v1.0-alpha1/publish/bulk/pubsub/orders", request.RawTarget);
        using var body = JsonDocument.Parse(request.Body);
        var second = body.RootElement[1];
        Assert.Equal("b", second.GetProperty("entryId").GetString());
        Assert.Equal("o-b", second.GetProperty("event").GetProperty("orderId").GetString());
        Assert.Equal("application/json", second.GetProperty("contentType").GetString());
        Assert.Equal("5", second.GetProperty("metadata").GetProperty("ttlInSeconds").GetString());
    }

    [Fact]
    public async Task Bulk_publish_error_without_failed_entries_throws()
    {
        await using var fake = await FakeSidecar.StartAsync();
        fake.Respond(_ => (500, "application/json", """{"errorCode":"ERR_PUBSUB_PUBLISH_MESSAGE","message":"broker down"}"""));
        var client = DaprTestClients.For(fake.BaseAddress);

        var error = await Assert.ThrowsAsync<DaprApiException>(() => client.BulkPublishEventAsync("pubsub", "orders", [1, 2], cancellationToken: Ct));

        Assert.Equal("ERR_PUBSUB_PUBLISH_MESSAGE", error.ErrorCode);
    }

    [Fact]
    public async Task Bulk_publish_refuses_duplicate_entry_ids_before_calling_the_sidecar()
    {
        await using var fake = await FakeSidecar.StartAsync();
        var client = DaprTestClients.For(fake.BaseAddress);

        await Assert.ThrowsAsync<ArgumentException>(() =>
            client.BulkPublishEventAsync("pubsub", "orders", [new BulkPublishEntry<int>("x", 1), new BulkPublishEntry<int>("x", 2)], cancellationToken: Ct));
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Unreachable_sidecar_is_a_dapr_exception_naming_the_endpoint()
    {
        var endpoint = new Uri($"http://127.0.0.1:{Veltrix.Testing.FreePort.Next()}");
        var client = DaprTestClients.For(endpoint);

        var error = await Assert.ThrowsAsync<DaprException>(() => client.GetStateAsync<int>("statestore", "k", cancellationToken: Ct));

        Assert.Contains(endpoint.Authority, error.Message, StringComparison.Ordinal);
        Assert.False(await client.CheckHealthAsync(Ct));
    }

    [Fact]
    public void Error_parser_reads_legacy_rich_and_plain_bodies()
    {
        Assert.Equal(("ERR_STATE_GET", "fail", null), DaprErrorParser.Parse("""{"errorCode":"ERR_STATE_GET","message":"fail"}"""));
        var (code, message, details) = DaprErrorParser.Parse("""{"errorCode":"E","message":"m","details":[{"reason":"R"}]}""");
        Assert.Equal(("E", "m"), (code, message));
        Assert.Equal("R", details!.Value[0].GetProperty("reason").GetString());
        Assert.Equal((null, "invalid api token", null), DaprErrorParser.Parse("invalid api token\n"));
        Assert.Equal((null, "{not json", null), DaprErrorParser.Parse("{not json"));
        Assert.Equal((null, null, null), DaprErrorParser.Parse(""));
    }
}
