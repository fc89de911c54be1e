using System.Net;
using System.Text.Json;

namespace Veltrix.Sidecar.Tests.State;

/// <summary>Contract §3, run against every state store the dev sidecar supports: same requests, same answers.</summary>
[Collection(nameof(StateCollection))]
public sealed class StateApiTests(StateFixture fixture)
{
    public static TheoryData<string> Stores => new() { "memory", "sqlite", "postgresql" };

    private SidecarApi Api => fixture.Api;

    private static string Key() => "k-" + Guid.NewGuid().ToString("N");

    private Task<HttpResponseMessage> SaveAsync(string store, string items) => Api.PostJsonAsync($"/v1.0/state/{store}", items);

    private async Task<string> EtagOfAsync(string store, string key)
    {
        var response = await Api.Http.GetAsync($"/v1.0/state/{store}/{key}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag?.Tag ?? response.Headers.GetValues("ETag").Single();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_missing_key_is_204_with_no_body(string store)
    {
        var response = await Api.Http.GetAsync($"/v1.0/state/{store}/{Key()}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Saved_values_come_back_as_their_json_with_an_etag(string store)
    {
        var key = Key();
        Assert.Equal(HttpStatusCode.NoContent, (await SaveAsync(store, $$$"""[{"key":"{{{key}}}","value":{"points":10,"name":"ada"}},{"key":"{{{key}}}-s","value":"abc"}]""")).StatusCode);
        var response = await Api.Http.GetAsync($"/v1.0/state/{store}/{key}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("ETag").Single()));
        var body = await SidecarApi.JsonAsync(response);
        Assert.Equal(10, body.GetProperty("points").GetInt32());
        Assert.Equal("\"abc\"", await (await Api.Http.GetAsync($"/v1.0/state/{store}/{key}-s")).Content.ReadAsStringAsync()); // strings keep their quotes
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_stale_etag_is_a_409_conflict_and_the_current_one_wins(string store)
    {
        var key = Key();
        await SaveAsync(store, $$"""[{"key":"{{key}}","value":1}]""");
        var etag = await EtagOfAsync(store, key);
        var conflict = await SaveAsync(store, $$"""[{"key":"{{key}}","value":2,"etag":"not-{{etag}}"}]""");
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        var error = await SidecarApi.JsonAsync(conflict);
        Assert.Equal("ERR_STATE_SAVE", error.GetProperty("errorCode").GetString());
        Assert.Contains("possible etag mismatch", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await SaveAsync(store, $$"""[{"key":"{{key}}","value":3,"etag":"{{etag}}"}]""")).StatusCode);
        Assert.NotEqual(etag, await EtagOfAsync(store, key)); // every write makes a new etag
        Assert.Equal("3", await (await Api.Http.GetAsync($"/v1.0/state/{store}/{key}")).Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task An_etag_on_a_missing_key_is_a_conflict(string store)
    {
        var response = await SaveAsync(store, $$"""[{"key":"{{Key()}}","value":1,"etag":"anything"}]""");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task First_write_without_etag_fails_once_the_key_exists(string store)
    {
        var key = Key();
        var first = $$$"""[{"key":"{{{key}}}","value":1,"options":{"concurrency":"first-write"}}]""";
        Assert.Equal(HttpStatusCode.NoContent, (await SaveAsync(store, first)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await SaveAsync(store, first)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SaveAsync(store, $$$"""[{"key":"{{{key}}}","value":2,"options":{"concurrency":"last-write"}}]""")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task First_write_takes_the_place_of_an_expired_value(string store)
    {
        var key = Key();
        await SaveAsync(store, $$$"""[{"key":"{{{key}}}","value":1,"metadata":{"ttlInSeconds":"1"}}]""");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await Api.Http.GetAsync($"/v1.0/state/{store}/{key}")).StatusCode != HttpStatusCode.NoContent)
        {
            Assert.True(DateTime.UtcNow < deadline, "the value did not expire within 15 s");
            await Task.Delay(100);
        }
        // The expired row may still be stored: it counts as missing, so first-write succeeds and the new value is read.
        Assert.Equal(HttpStatusCode.NoContent, (await SaveAsync(store, $$$"""[{"key":"{{{key}}}","value":2,"options":{"concurrency":"first-write"}}]""")).StatusCode);
        Assert.Equal("2", await (await Api.Http.GetAsync($"/v1.0/state/{store}/{key}")).Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task An_etag_write_to_a_value_with_a_ttl_is_checked_like_any_other(string store)
    {
        var key = Key();
        await SaveAsync(store, $$$"""[{"key":"{{{key}}}","value":1,"metadata":{"ttlInSeconds":"120"}}]""");
        var etag = await EtagOfAsync(store, key);
        Assert.Equal(HttpStatusCode.Conflict, (await SaveAsync(store, $$"""[{"key":"{{key}}","value":2,"etag":"not-{{etag}}"}]""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SaveAsync(store, $$"""[{"key":"{{key}}","value":3,"etag":"{{etag}}"}]""")).StatusCode);
        Assert.Equal("3", await (await Api.Http.GetAsync($"/v1.0/state/{store}/{key}")).Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Delete_honours_if_match(string store)
    {
        var key = Key();
        await SaveAsync(store, $$"""[{"key":"{{key}}","value":1}]""");
        var stale = new HttpRequestMessage(HttpMethod.Delete, $"/v1.0/state/{store}/{key}");
        stale.Headers.TryAddWithoutValidation("If-Match", "stale");
        var conflict = await Api.Http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("ERR_STATE_DELETE", await SidecarApi.ErrorCodeAsync(conflict));

        var current = new HttpRequestMessage(HttpMethod.Delete, $"/v1.0/state/{store}/{key}");
        current.Headers.TryAddWithoutValidation("If-Match", await EtagOfAsync(store, key));
        Assert.Equal(HttpStatusCode.NoContent, (await Api.Http.SendAsync(current)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.Http.GetAsync($"/v1.0/state/{store}/{key}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.Http.DeleteAsync($"/v1.0/state/{store}/{key}")).StatusCode); // deleting a missing key
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Bulk_get_returns_data_and_etag_per_key_and_only_the_key_when_missing(string store)
    {
        var (a, b) = (Key(), Key());
        await SaveAsync(store, $$$"""[{"key":"{{{a}}}","value":{"v":"a"}}]""");
        var response = await Api.PostJsonAsync($"/v1.0/state/{store}/bulk", $$"""{"keys":["{{a}}","{{b}}"],"parallelism":2}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await SidecarApi.JsonAsync(response)).EnumerateArray().ToList();
        Assert.Equal("a", items.Single(i => i.GetProperty("key").GetString() == a).GetProperty("data").GetProperty("v").GetString());
        Assert.True(items.Single(i => i.GetProperty("key").GetString() == a).TryGetProperty("etag", out _));
        var missing = items.Single(i => i.GetProperty("key").GetString() == b);
        Assert.False(missing.TryGetProperty("data", out _));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_transaction_applies_all_or_nothing(string store)
    {
        var (a, b, c) = (Key(), Key(), Key());
        await SaveAsync(store, $$"""[{"key":"{{b}}","value":"old"}]""");
        var ok = await Api.PostJsonAsync($"/v1.0/state/{store}/transaction",
            $$$"""{"operations":[{"operation":"upsert","request":{"key":"{{{a}}}","value":1}},{"operation":"delete","request":{"key":"{{{b}}}"}}]}""");
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.Http.GetAsync($"/v1.0/state/{store}/{a}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.Http.GetAsync($"/v1.0/state/{store}/{b}")).StatusCode);

        var failed = await Api.PostJsonAsync($"/v1.0/state/{store}/transaction",
            $$$"""{"operations":[{"operation":"upsert","request":{"key":"{{{c}}}","value":1}},{"operation":"upsert","request":{"key":"{{{a}}}","value":2,"etag":"stale"}}]}""");
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode); // inside a transaction a conflict is 500, not 409
        Assert.Equal("ERR_STATE_TRANSACTION", await SidecarApi.ErrorCodeAsync(failed));
        Assert.Equal(HttpStatusCode.NoContent, (await Api.Http.GetAsync($"/v1.0/state/{store}/{c}")).StatusCode); // the first upsert was rolled back
        Assert.Equal("1", await (await Api.Http.GetAsync($"/v1.0/state/{store}/{a}")).Content.ReadAsStringAsync());

        var d = Key();
        var firstWriteLost = await Api.PostJsonAsync($"/v1.0/state/{store}/transaction",
            $$$$"""{"operations":[{"operation":"upsert","request":{"key":"{{{{d}}}}","value":1}},{"operation":"upsert","request":{"key":"{{{{a}}}}","value":3,"options":{"concurrency":"first-write"}}}]}""");
        Assert.Equal(HttpStatusCode.InternalServerError, firstWriteLost.StatusCode); // a first-write on a key that exists fails the whole transaction
        Assert.Equal(HttpStatusCode.NoContent, (await Api.Http.GetAsync($"/v1.0/state/{store}/{d}")).StatusCode);
        Assert.Equal("1", await (await Api.Http.GetAsync($"/v1.0/state/{store}/{a}")).Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task An_unsupported_transaction_operation_is_refused(string store)
    {
        var response = await Api.PostJsonAsync($"/v1.0/state/{store}/transaction", """{"operations":[{"operation":"merge","request":{"key":"x","value":1}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ERR_NOT_SUPPORTED_STATE_OPERATION", await SidecarApi.ErrorCodeAsync(response));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_ttl_sets_the_expire_time_header(string store)
    {
        var key = Key();
        await SaveAsync(store, $$$"""[{"key":"{{{key}}}","value":1,"metadata":{"ttlInSeconds":"120"}}]""");
        var response = await Api.Http.GetAsync($"/v1.0/state/{store}/{key}");
        var expires = DateTimeOffset.Parse(response.Headers.GetValues("metadata.ttlExpireTime").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddSeconds(100), DateTimeOffset.UtcNow.AddSeconds(121));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Malformed_requests_are_400_malformed_request(string store)
    {
        var notJson = await SaveAsync(store, "{oops");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("ERR_MALFORMED_REQUEST", await SidecarApi.ErrorCodeAsync(notJson));
        var noKey = await SaveAsync(store, """[{"value":1}]""");
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Contains("\"key\" is a required field", (await SidecarApi.JsonAsync(noKey)).GetProperty("message").GetString(), StringComparison.Ordinal);
        var illegal = await SaveAsync(store, """[{"key":"a||b","value":1}]""");
        Assert.Equal(HttpStatusCode.BadRequest, illegal.StatusCode);
        Assert.Equal("DAPR_STATE_ILLEGAL_KEY", (await SidecarApi.JsonAsync(illegal)).GetProperty("details")[0].GetProperty("reason").GetString());
        var badConcurrency = await SaveAsync(store, """[{"key":"a","value":1,"options":{"concurrency":"whenever"}}]""");
        Assert.Equal(HttpStatusCode.BadRequest, badConcurrency.StatusCode);
    }

    [Fact]
    public async Task An_unknown_store_is_400_state_store_not_found()
    {
        var response = await Api.Http.GetAsync("/v1.0/state/nostore/key");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await SidecarApi.JsonAsync(response);
        Assert.Equal("ERR_STATE_STORE_NOT_FOUND", body.GetProperty("errorCode").GetString());
        Assert.Equal("state store nostore is not found", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Keys_are_stored_under_the_app_id_unless_key_prefix_says_otherwise()
    {
        var key = Key();
        await SaveAsync("sqlite", $$"""[{"key":"{{key}}","value":1}]""");
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={fixture.SqliteFile};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM state WHERE key = $key";
        command.Parameters.AddWithValue("$key", $"stateful||{key}");
        Assert.Equal("1", (string?)await command.ExecuteScalarAsync());

        await SaveAsync("shared", $$"""[{"key":"{{key}}","value":"unprefixed"}]""");
        Assert.Equal("\"unprefixed\"", await (await Api.Http.GetAsync($"/v1.0/state/shared/{key}")).Content.ReadAsStringAsync());
    }
}
