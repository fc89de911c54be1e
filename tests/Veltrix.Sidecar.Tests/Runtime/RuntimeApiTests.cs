using System.Net;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Runtime;

/// <summary>Contract §4: health, metadata and shutdown.</summary>
public sealed class RuntimeApiTests
{
    [Fact]
    public async Task Outbound_health_is_ready_before_the_app_while_health_waits_for_it()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        var appPort = FreePort.Next(); // nothing listens here yet
        await using var sidecar = await SidecarProcess.StartForAppAsync("late", appPort, [resources.Path], waitForApp: false);
        using var api = new SidecarApi(sidecar.BaseAddress);

        Assert.Equal(HttpStatusCode.NoContent, (await api.Http.GetAsync("/v1.0/healthz/outbound")).StatusCode);
        var notReady = await api.Http.GetAsync("/v1.0/healthz");
        Assert.Equal(HttpStatusCode.InternalServerError, notReady.StatusCode);
        Assert.Equal("ERR_HEALTH_NOT_READY", await SidecarApi.ErrorCodeAsync(notReady));

        await using var app = await RecordingApp.StartAsync("[]", appPort);
        await Eventually.UntilAsync(async () => (await api.Http.GetAsync("/v1.0/healthz")).StatusCode == HttpStatusCode.NoContent, "health once the app is up");
        var mismatch = await api.Http.GetAsync("/v1.0/healthz?appid=someone-else");
        Assert.Equal("ERR_HEALTH_APPID_NOT_MATCH", await SidecarApi.ErrorCodeAsync(mismatch));
    }

    [Fact]
    public async Task Metadata_lists_components_with_capabilities_and_subscriptions_with_their_kind()
    {
        await using var app = await RecordingApp.StartAsync(
            """[{"pubsubname":"pubsub","topic":"orders","routes":{"rules":[{"match":"event.type == \"big\"","path":"/big"}],"default":"/orders"},"deadLetterTopic":"orders-dlq"}]""");
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub(), Yaml.InMemoryState(), """
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: audit
            spec:
              pubsubname: pubsub
              topic: audit
              routes:
                default: /audit
            """);
        await using var sidecar = await SidecarProcess.StartForAppAsync("described", app.Port, [resources.Path]);
        using var api = new SidecarApi(sidecar.BaseAddress);
        Assert.Equal(HttpStatusCode.NoContent, (await api.Http.PutAsync("/v1.0/metadata/owner", new StringContent("team-a"))).StatusCode);

        var metadata = await SidecarApi.JsonAsync(await api.Http.GetAsync("/v1.0/metadata"));
        Assert.Equal("described", metadata.GetProperty("id").GetString());
        var components = metadata.GetProperty("components").EnumerateArray().ToList();
        var state = components.Single(c => c.GetProperty("name").GetString() == "statestore");
        Assert.Equal("state.in-memory", state.GetProperty("type").GetString());
        Assert.Contains("TRANSACTIONAL", state.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("ETAG", state.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        var subscriptions = metadata.GetProperty("subscriptions").EnumerateArray().ToList();
        var orders = subscriptions.Single(s => s.GetProperty("topic").GetString() == "orders");
        Assert.Equal("PROGRAMMATIC", orders.GetProperty("type").GetString());
        Assert.Equal("orders-dlq", orders.GetProperty("deadLetterTopic").GetString());
        Assert.Equal("event.type == \"big\"", orders.GetProperty("rules")[0].GetProperty("match").GetString());
        Assert.Equal("/orders", orders.GetProperty("rules")[1].GetProperty("path").GetString());
        Assert.Equal("DECLARATIVE", subscriptions.Single(s => s.GetProperty("topic").GetString() == "audit").GetProperty("type").GetString());
        Assert.Equal("team-a", metadata.GetProperty("extended").GetProperty("owner").GetString());
        Assert.Equal(app.Port, metadata.GetProperty("appConnectionProperties").GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task Shutdown_answers_204_then_the_process_exits()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        await using var sidecar = await SidecarProcess.StartForAppAsync("stopping", null, [resources.Path]);
        using var api = new SidecarApi(sidecar.BaseAddress);
        Assert.Equal(HttpStatusCode.NoContent, (await api.Http.PostAsync("/v1.0/shutdown", null)).StatusCode);
        Assert.Equal(0, await sidecar.WaitForExitAsync());
    }

    [Fact]
    public async Task One_process_serves_several_apps_sharing_in_memory_pubsub_but_not_state()
    {
        await using var consumer = await RecordingApp.StartAsync("""[{"pubsubname":"pubsub","topic":"scores","route":"/scores"}]""");
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub(), Yaml.InMemoryState());
        var (producerPort, consumerPort) = (FreePort.Next(), FreePort.Next());
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        await using var sidecar = SidecarProcess.Start(["--app", $"id=producer,dapr-http-port={producerPort.ToString(inv)}",
            "--app", $"id=consumer,app-port={consumer.Port.ToString(inv)},dapr-http-port={consumerPort.ToString(inv)}", "--resources-path", resources.Path]);
        using var producer = new SidecarApi(new Uri($"http://127.0.0.1:{producerPort}"));
        using var consumerApi = new SidecarApi(new Uri($"http://127.0.0.1:{consumerPort}"));
        await Eventually.UntilAsync(async () =>
        {
            try { return (await consumerApi.Http.GetAsync("/v1.0/healthz")).StatusCode == HttpStatusCode.NoContent; }
            catch (HttpRequestException) { return false; }
        }, "both apps ready");

        Assert.Equal(HttpStatusCode.NoContent, (await producer.PublishAsync("pubsub", "scores", """{"points":5}""")).StatusCode);
        await Eventually.UntilAsync(() => consumer.Count("/scores") == 1, "the consumer app to get the producer's event");
        Assert.Contains("\"source\":\"producer\"", consumer.On("/scores").Single().BodyText, StringComparison.Ordinal);

        await producer.PostJsonAsync("/v1.0/state/statestore", """[{"key":"k","value":"producer's"}]""");
        Assert.Equal(HttpStatusCode.NoContent, (await consumerApi.Http.GetAsync("/v1.0/state/statestore/k")).StatusCode); // keys are per app ID
        Assert.Equal("producer", (await SidecarApi.JsonAsync(await producer.Http.GetAsync("/v1.0/metadata"))).GetProperty("id").GetString());
        Assert.Equal("consumer", (await SidecarApi.JsonAsync(await consumerApi.Http.GetAsync("/v1.0/metadata"))).GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("""[{"pubsubname":"pubsub","topic":"t","routes":{"rules":[{"match":"size(event.data) > 2","path":"/t"}]}}]""", "VX1010")]
    [InlineData("""[{"pubsubname":"pubsbu","topic":"t","route":"/t"}]""", "VX1009")]
    [InlineData("""[{"topic":"t","route":"/t"}]""", "VX2011")]
    [InlineData("""{"not":"an array"}""", "VX2011")]
    public async Task An_unusable_programmatic_subscription_keeps_the_app_not_ready_with_the_diagnostic(string subscribe, string code)
    {
        await using var app = await RecordingApp.StartAsync(subscribe);
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        await using var sidecar = await SidecarProcess.StartForAppAsync("misconfigured", app.Port, [resources.Path], waitForApp: false);
        using var api = new SidecarApi(sidecar.BaseAddress);
        await Eventually.UntilAsync(() => app.Count("/dapr/subscribe") > 0, "the sidecar to ask for subscriptions");
        await Eventually.UntilAsync(async () => (await (await api.Http.GetAsync("/v1.0/healthz")).Content.ReadAsStringAsync()).Contains(code, StringComparison.Ordinal),
            $"health to report {code}");
        var health = await api.Http.GetAsync("/v1.0/healthz");
        Assert.Equal(HttpStatusCode.InternalServerError, health.StatusCode);
        Assert.Equal("ERR_HEALTH_NOT_READY", await SidecarApi.ErrorCodeAsync(health));
        Assert.Empty((await SidecarApi.JsonAsync(await api.Http.GetAsync("/v1.0/metadata"))).GetProperty("subscriptions").EnumerateArray());
    }
}
