using System.Net;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Dapr.Client;
using Veltrix.Dapr.Tests.Infrastructure;
using Veltrix.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using System.Collections.Concurrent;

namespace Veltrix.Dapr.Tests.Client;

/// <summary>Metadata, health, tokens and shutdown against the real dev sidecar.</summary>
public sealed class SidecarRuntimeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metadata_lists_components_and_the_apps_subscriptions()
    {
        await using var app = await SubscriberApp.StartAsync(web =>
        {
            web.MapPost("/orders", [Topic("pubsub", "meta-orders", DeadLetterTopic = "meta-dead")] (Order o) => TopicResults.Success());
            web.MapPost("/orders/vip", (Order o) => TopicResults.Success()).WithTopic("pubsub", "meta-orders", match: "event.type == \"vip\"");
        });
        using var resources = ResourcesDirectory.Create();
        await using var sidecar = await SidecarProcess.StartForAppAsync("meta-app", app.Port, [resources.Path]);
        var client = DaprTestClients.For(sidecar);
        await client.WaitForSubscriptionAsync("meta-orders");

        await client.SetMetadataAsync("owner", "team-hunt", Ct);
        var metadata = await client.GetMetadataAsync(Ct);

        Assert.Equal("meta-app", metadata.Id);
        var components = metadata.Components.ToDictionary(c => c.Name);
        Assert.Equal("pubsub.in-memory", components["pubsub"].Type);
        Assert.Equal("state.in-memory", components["statestore"].Type);
        Assert.Equal("v1", components["statestore"].Version);
        Assert.Contains("ETAG", components["statestore"].Capabilities);
        Assert.Contains("TRANSACTIONAL", components["statestore"].Capabilities);
        var subscription = Assert.Single(metadata.Subscriptions);
        Assert.Equal("pubsub", subscription.PubsubName);
        Assert.Equal("meta-dead", subscription.DeadLetterTopic);
        Assert.Equal("PROGRAMMATIC", subscription.Type);
        Assert.Equal([("event.type == \"vip\"", "/orders/vip"), (null, "/orders")],
            subscription.Rules.Select(r => (string.IsNullOrEmpty(r.Match) ? null : r.Match, r.Path)));
        Assert.Equal("team-hunt", metadata.Extended["owner"]);
    }

    [Fact]
    public async Task Api_token_is_required_by_the_sidecar_and_sent_by_the_client()
    {
        using var resources = ResourcesDirectory.Create();
        await using var sidecar = await SidecarProcess.StartForAppAsync("token-app", null, [resources.Path],
            new Dictionary<string, string?> { ["DAPR_API_TOKEN"] = "dapr-secret" }, waitForApp: false);

        var anonymous = DaprTestClients.For(sidecar);
        var error = await Assert.ThrowsAsync<DaprApiException>(() => anonymous.GetStateAsync<int>("statestore", "k", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("invalid api token", error.SidecarMessage);
        var wrong = DaprTestClients.For(sidecar, "not-it");
        await Assert.ThrowsAsync<DaprApiException>(() => wrong.PublishEventAsync("pubsub", "t", 1, Ct));
        Assert.True(await anonymous.CheckOutboundHealthAsync(Ct)); // health is exempt

        var authorised = DaprTestClients.For(sidecar, "dapr-secret");
        await authorised.SaveStateAsync("statestore", "k", 7, cancellationToken: Ct);
        Assert.Equal(7, await authorised.GetStateAsync<int>("statestore", "k", cancellationToken: Ct));
        Assert.Equal("token-app", (await authorised.GetMetadataAsync(Ct)).Id);
    }

    [Fact]
    public async Task App_with_the_app_token_receives_deliveries_and_one_expecting_another_token_gets_none()
    {
        var received = new ConcurrentQueue<Order>();
        await using var app = await SubscriberApp.StartAsync(web =>
            web.MapPost("/orders", [Topic("pubsub", "secured")] (Order o) =>
            {
                received.Enqueue(o);
                return TopicResults.Success();
            }), appToken: "app-secret");
        await using var strangerApp = await SubscriberApp.StartAsync(web =>
            web.MapPost("/orders", [Topic("pubsub", "secured")] (Order o) => TopicResults.Success()), appToken: "someone-else");
        using var resources = ResourcesDirectory.Create();
        var env = new Dictionary<string, string?> { ["APP_API_TOKEN"] = "app-secret" };
        await using var sidecar = await SidecarProcess.StartForAppAsync("secured-app", app.Port, [resources.Path], env);
        await using var strangerSidecar = await SidecarProcess.StartForAppAsync("stranger-app", strangerApp.Port, [resources.Path], env);
        var client = DaprTestClients.For(sidecar);
        await client.WaitForSubscriptionAsync("secured");

        await client.PublishEventAsync("pubsub", "secured", new Order("s-1", 1), Ct);

        await Eventually.UntilAsync(() => !received.IsEmpty, "the delivery carrying the app token");
        Assert.Equal(new Order("s-1", 1), Assert.Single(received));
        // The stranger refused /dapr/subscribe with 401, so its sidecar holds no subscription.
        var strangerClient = DaprTestClients.For(strangerSidecar);
        Assert.Empty((await strangerClient.GetMetadataAsync(Ct)).Subscriptions);
    }

    [Fact]
    public async Task WaitForSidecar_returns_once_a_late_sidecar_is_up()
    {
        var port = FreePort.Next();
        var client = DaprTestClients.For(new Uri($"http://127.0.0.1:{port}"), healthTimeout: TimeSpan.FromSeconds(30));
        var waiting = client.WaitForSidecarAsync(Ct);
        Assert.False(waiting.IsCompleted);

        using var resources = ResourcesDirectory.Create();
        await using var sidecar = SidecarProcess.Start(["--app-id", "late-app", "--dapr-http-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--resources-path", resources.Path], httpPort: port);

        await waiting;
        Assert.True(await client.CheckOutboundHealthAsync(Ct));
        Assert.True(await client.CheckHealthAsync(Ct)); // no app port: nothing to wait for
    }

    [Fact]
    public async Task WaitForSidecar_gives_up_after_the_health_timeout_with_a_clear_error()
    {
        var endpoint = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var client = DaprTestClients.For(endpoint, healthTimeout: TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAsync<DaprException>(() => client.WaitForSidecarAsync(Ct));

        Assert.Contains($"{endpoint.Authority}", error.Message, StringComparison.Ordinal);
        Assert.Contains("was not ready after 0.3 s (DAPR_HEALTH_TIMEOUT)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shutdown_stops_the_sidecar()
    {
        using var resources = ResourcesDirectory.Create();
        await using var sidecar = await SidecarProcess.StartForAppAsync("shutdown-app", null, [resources.Path], waitForApp: false);
        var client = DaprTestClients.For(sidecar);

        await client.ShutdownSidecarAsync(Ct);

        await Eventually.UntilAsync(() => sidecar.HasExited, "the sidecar process to exit");
        Assert.False(await client.CheckOutboundHealthAsync(Ct));
    }
}
