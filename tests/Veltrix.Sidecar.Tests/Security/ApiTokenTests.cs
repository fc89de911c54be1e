using System.Net;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Security;

/// <summary>Contract §5: DAPR_API_TOKEN guards the API (health excepted); APP_API_TOKEN goes on every call to the app.</summary>
public sealed class ApiTokenTests
{
    [Fact]
    public async Task The_api_token_is_required_everywhere_but_the_health_checks_and_the_app_token_is_sent_to_the_app()
    {
        await using var app = await RecordingApp.StartAsync("""[{"pubsubname":"pubsub","topic":"t","route":"/t"}]""");
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub(), Yaml.InMemoryState());
        await using var sidecar = await SidecarProcess.StartForAppAsync("secured", app.Port, [resources.Path],
            new Dictionary<string, string?> { ["DAPR_API_TOKEN"] = "api-secret", ["APP_API_TOKEN"] = "app-secret" });
        using var anonymous = new SidecarApi(sidecar.BaseAddress);
        using var wrong = new SidecarApi(sidecar.BaseAddress, "not-the-token");
        using var authorised = new SidecarApi(sidecar.BaseAddress, "api-secret");

        foreach (var api in new[] { anonymous, wrong })
        {
            var refused = await api.PublishAsync("pubsub", "t", "{}");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("invalid api token", await refused.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.Http.GetAsync("/v1.0/metadata")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.Http.GetAsync("/v1.0/state/statestore/k")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.Http.GetAsync("/v1.0/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.Http.GetAsync("/v1.0/healthz/outbound")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await authorised.PublishAsync("pubsub", "t", """{"ok":true}""")).StatusCode);
        await Eventually.UntilAsync(() => app.Count("/t") == 1, "the delivery");
        Assert.Equal("app-secret", app.On("/t").Single().Headers["dapr-api-token"]);
        Assert.Equal("app-secret", app.On("/dapr/subscribe").First().Headers["dapr-api-token"]);
        Assert.Equal("secured", app.On("/t").Single().Headers["dapr-app-id"]);
    }
}
