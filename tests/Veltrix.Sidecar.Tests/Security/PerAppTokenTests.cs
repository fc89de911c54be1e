using System.Net;
using Dapr.Client.Autogen.Grpc.v1;
using Grpc.Core;
using Grpc.Net.Client;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Security;

/// <summary>
/// daprd has one DAPR_API_TOKEN per app; the dev sidecar serves several apps from one process, so each app may have its
/// own (`DAPR_API_TOKEN_&lt;APP&gt;`, `APP_API_TOKEN_&lt;APP&gt;`): one app's token opens only its own app's ports, and each
/// app is called with its own app token — on deliveries and on service invocation from another app. HTTP and gRPC alike.
/// </summary>
public sealed class PerAppTokenTests
{
    [Fact]
    public async Task One_apps_token_opens_only_its_own_ports_and_each_app_is_called_with_its_own_app_token()
    {
        await using var alphaApp = await RecordingApp.StartAsync("""[{"pubsubname":"pubsub","topic":"a","route":"/a"}]""");
        await using var betaApp = await RecordingApp.StartAsync("[]");
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub(), Yaml.InMemoryState());
        var (sidecar, ports) = await SidecarProcess.StartForAppsAsync([("alpha", alphaApp.Port), ("beta", betaApp.Port)], [resources.Path],
            new Dictionary<string, string?>
            {
                ["DAPR_API_TOKEN_ALPHA"] = "alpha-api", ["DAPR_API_TOKEN_BETA"] = "beta-api",
                ["APP_API_TOKEN_ALPHA"] = "alpha-app", ["APP_API_TOKEN_BETA"] = "beta-app",
            });
        await using var _ = sidecar;
        Uri On(string appId) => new($"http://127.0.0.1:{ports[appId].Http}");

        // beta's token is refused on alpha's port and alpha's on beta's: one app cannot read another's state.
        using (var betaOnAlpha = new SidecarApi(On("alpha"), "beta-api"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await betaOnAlpha.Http.GetAsync("/v1.0/state/statestore/k")).StatusCode);
        using (var alphaOnBeta = new SidecarApi(On("beta"), "alpha-api"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await alphaOnBeta.Http.GetAsync("/v1.0/state/statestore/k")).StatusCode);
        using var beta = new SidecarApi(On("beta"), "beta-api");
        Assert.Equal(HttpStatusCode.NoContent, (await beta.Http.GetAsync("/v1.0/state/statestore/k")).StatusCode);

        // The same on the gRPC ports (the official SDK's transport).
        using var alphaGrpc = GrpcChannel.ForAddress($"http://127.0.0.1:{ports["alpha"].Grpc}");
        var dapr = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(alphaGrpc);
        var stateRequest = new GetStateRequest { StoreName = "statestore", Key = "k" };
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await dapr.GetStateAsync(stateRequest, new Metadata { { "dapr-api-token", "beta-api" } }));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        await dapr.GetStateAsync(stateRequest, new Metadata { { "dapr-api-token", "alpha-api" } });

        // alpha with its own token: a delivery to alpha carries alpha's app token, an invocation of beta beta's.
        using var alpha = new SidecarApi(On("alpha"), "alpha-api");
        Assert.Equal(HttpStatusCode.NoContent, (await alpha.PublishAsync("pubsub", "a", """{"ok":true}""")).StatusCode);
        await Eventually.UntilAsync(() => alphaApp.Count("/a") == 1, "the delivery to alpha");
        Assert.Equal("alpha-app", alphaApp.On("/a").Single().Headers["dapr-api-token"]);

        var invoked = await alpha.PostJsonAsync("/v1.0/invoke/beta/method/hello", "{}");
        Assert.True(invoked.IsSuccessStatusCode, $"{invoked.StatusCode}: {await invoked.Content.ReadAsStringAsync()}");
        Assert.Equal("beta-app", betaApp.On("/hello").Single().Headers["dapr-api-token"]);
        Assert.Equal("alpha", betaApp.On("/hello").Single().Headers["dapr-caller-app-id"]);
    }
}
