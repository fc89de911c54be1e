using System.Net;
using System.Text;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Net.Client;

namespace Veltrix.Sidecar.Tests.State;

/// <summary>
/// Every key the sidecar accepts in a body comes back through the URL (escaped as <see cref="Uri.EscapeDataString"/>
/// escapes it) and over gRPC, on every store: a key written one way is the key read, and deleted, the other way.
/// </summary>
[Collection(nameof(StateCollection))]
public sealed class KeyRoundTripTests(StateFixture fixture)
{
    /// <summary>Keys that are legal for Dapr but easy to mangle between a body, a path segment and a gRPC field.</summary>
    public static TheoryData<string, string> KeysByStore()
    {
        string[] keys = ["a/b", "a%2Fb", "/lead", "trail/", "a b", "a+b", "50%", "q?x=1", "h#1", "üñí😀", "a|b", "back\\slash", "dots/../up", "semi;colon"];
        var data = new TheoryData<string, string>();
        foreach (var store in new[] { "memory", "sqlite", "postgresql" })
            foreach (var key in keys) data.Add(store, key);
        return data;
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(KeysByStore))]
    public async Task A_key_saved_in_a_body_is_read_and_deleted_through_the_url(string store, string suffix)
    {
        var key = Guid.NewGuid().ToString("N") + suffix;
        var save = await fixture.Api.PostJsonAsync($"/v1.0/state/{store}", $$"""[{"key":{{System.Text.Json.JsonSerializer.Serialize(key)}},"value":"v"}]""");
        Assert.Equal(HttpStatusCode.NoContent, save.StatusCode);

        var url = $"/v1.0/state/{store}/{Uri.EscapeDataString(key)}";
        var read = await fixture.Api.Http.GetAsync(url, Cancel);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"v\"", await read.Content.ReadAsStringAsync(Cancel));

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Api.Http.DeleteAsync(url, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Api.Http.GetAsync(url, Cancel)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(KeysByStore))]
    public async Task A_key_saved_over_grpc_is_read_through_the_url_and_one_saved_over_http_over_grpc(string store, string suffix)
    {
        using var channel = GrpcChannel.ForAddress(fixture.Sidecar.GrpcAddress);
        var grpc = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);

        var viaGrpc = Guid.NewGuid().ToString("N") + suffix;
        var request = new SaveStateRequest { StoreName = store };
        request.States.Add(new StateItem { Key = viaGrpc, Value = ByteString.CopyFromUtf8("\"g\"") });
        await grpc.SaveStateAsync(request, cancellationToken: Cancel);
        var read = await fixture.Api.Http.GetAsync($"/v1.0/state/{store}/{Uri.EscapeDataString(viaGrpc)}", Cancel);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"g\"", await read.Content.ReadAsStringAsync(Cancel));

        var viaHttp = Guid.NewGuid().ToString("N") + suffix;
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Api.PostJsonAsync($"/v1.0/state/{store}",
            $$"""[{"key":{{System.Text.Json.JsonSerializer.Serialize(viaHttp)}},"value":"h"}]""")).StatusCode);
        var got = await grpc.GetStateAsync(new GetStateRequest { StoreName = store, Key = viaHttp }, cancellationToken: Cancel);
        Assert.Equal("\"h\"", Encoding.UTF8.GetString(got.Data.Span));
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    public async Task A_key_with_the_separator_is_refused_the_same_way_in_a_body_and_in_the_url(string store)
    {
        var key = Guid.NewGuid().ToString("N") + "||x";
        var save = await fixture.Api.PostJsonAsync($"/v1.0/state/{store}", $$"""[{"key":"{{key}}","value":1}]""");
        Assert.Equal(HttpStatusCode.BadRequest, save.StatusCode);
        var read = await fixture.Api.Http.GetAsync($"/v1.0/state/{store}/{Uri.EscapeDataString(key)}", Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, read.StatusCode);
        Assert.Equal("ERR_MALFORMED_REQUEST", await SidecarApi.ErrorCodeAsync(read));
    }
}
