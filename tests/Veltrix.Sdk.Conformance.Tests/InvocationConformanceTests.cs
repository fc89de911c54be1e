using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;
using Veltrix.Testing;

namespace Veltrix.Sdk.Conformance.Tests;

/// <summary>
/// Service invocation through the SDK (`InvokeMethodAsync`, `CreateInvokableHttpClient`) between two apps one
/// sidecar process serves, with the API token towards the sidecar and the app token towards the target.
/// </summary>
public sealed class InvocationConformanceTests
{
    private const string ApiToken = "api-token";
    private const string AppToken = "app-token";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_app_invokes_another_app_of_the_same_sidecar_through_the_SDK()
    {
        await using var echo = await EchoApp.StartAsync();
        using var resources = new ResourcesFolder(Yaml.InMemoryState(Backends.StoreName));
        var (sidecar, ports) = await SidecarProcess.StartForAppsAsync([("front", null), ("back", echo.Port)], [resources.Path],
            new Dictionary<string, string?> { ["DAPR_API_TOKEN"] = ApiToken, ["APP_API_TOKEN"] = AppToken });
        await using var _ = sidecar;
        using var client = new DaprClientBuilder()
            .UseHttpEndpoint($"http://127.0.0.1:{ports["front"].Http}")
            .UseGrpcEndpoint($"http://127.0.0.1:{ports["front"].Grpc}")
            .UseDaprApiToken(ApiToken)
            .Build();

#pragma warning disable CS0618 // InvokeMethodAsync is [Obsolete] in 1.19 but is what apps call today
        var posted = await client.InvokeMethodAsync<Order, EchoReply>(HttpMethod.Post, "back", "orders/new?priority=high", new Order("inv", 2), Cancel);
        var unknown = await Assert.ThrowsAsync<InvocationException>(() => client.InvokeMethodAsync(HttpMethod.Get, "nobody", "x", Cancel));
#pragma warning restore CS0618

        Assert.Equal(("POST", "/orders/new", "?priority=high"), (posted.Method, posted.Path, posted.Query));
        Assert.Equal(AppToken, posted.Token); // the target's token, never the caller's sidecar token
        Assert.Equal("front", posted.Caller);
        Assert.StartsWith("application/json", posted.ContentType, StringComparison.Ordinal);
        Assert.Equal(new Order("inv", 2), JsonSerializer.Deserialize<Order>(posted.Body, JsonSerializerOptions.Web));

        Assert.Equal(HttpStatusCode.InternalServerError, unknown.Response.StatusCode);
        var error = JsonDocument.Parse(await unknown.Response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal("ERR_DIRECT_INVOKE", error.GetProperty("errorCode").GetString());
        Assert.StartsWith("failed to invoke, id: nobody, err: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var http = client.CreateInvokableHttpClient("back");
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://back/items/7?x=1");
        request.Headers.Add("x-custom", "kept");
        request.Headers.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        var got = await (await http.SendAsync(request, Cancel)).Content.ReadFromJsonAsync<EchoReply>(JsonSerializerOptions.Web, Cancel);
        Assert.Equal(("GET", "/items/7", "?x=1", "kept", AppToken), (got!.Method, got.Path, got.Query, got.Custom, got.Token));
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", got.TraceParent);

        var teapot = await http.GetAsync("http://back/teapot", Cancel);
        Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
        Assert.Equal("short and stout", await teapot.Content.ReadAsStringAsync(Cancel));
        Assert.Equal("yes", teapot.Headers.GetValues("x-teapot").Single());

        using var tokenless = new HttpClient();
        var refused = await tokenless.GetAsync($"http://127.0.0.1:{ports["front"].Http}/v1.0/invoke/back/method/items/1", Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_5xx_answer_is_retried_only_under_a_DefaultAppRetryPolicy(bool withPolicy)
    {
        await using var echo = await EchoApp.StartAsync();
        using var resources = new ResourcesFolder(Yaml.InMemoryState(Backends.StoreName));
        if (withPolicy)
            resources.Write("resiliency.yaml", """
                apiVersion: dapr.io/v1alpha1
                kind: Resiliency
                metadata:
                  name: app-calls
                spec:
                  policies:
                    retries:
                      DefaultAppRetryPolicy:
                        policy: constant
                        duration: 10ms
                        maxRetries: 3
                """);
        var (sidecar, ports) = await SidecarProcess.StartForAppsAsync([("front", null), ("back", echo.Port)], [resources.Path]);
        await using var _ = sidecar;
        using var client = new DaprClientBuilder().UseHttpEndpoint($"http://127.0.0.1:{ports["front"].Http}").UseGrpcEndpoint($"http://127.0.0.1:{ports["front"].Grpc}").Build();
        using var http = client.CreateInvokableHttpClient("back");

        var answer = await http.GetAsync("http://back/flaky", Cancel);

        Assert.Equal(withPolicy ? (HttpStatusCode.OK, "recovered", 3) : (HttpStatusCode.ServiceUnavailable, "not yet", 1),
            (answer.StatusCode, await answer.Content.ReadAsStringAsync(Cancel), echo.FlakyCalls));
    }
}
