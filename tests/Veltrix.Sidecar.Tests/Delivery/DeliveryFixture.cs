using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Delivery;

/// <summary>
/// One sidecar and one recording app for the delivery and envelope tests. Every test uses its own topic (and its
/// own dead-letter topic), so counts never mix. Components: `pubsub` (inbound retries: 2, constant 10 ms, only
/// for 5xx statuses), `plain` (no resiliency), `guarded` (circuit breaker tripping after 2 consecutive failures),
/// `slow` (100 ms attempt timeout, 1 retry). The same suite runs on in-memory pub/sub (this class) and on RabbitMQ
/// (<see cref="RabbitMqDeliveryFixture"/>).
/// </summary>
public class DeliveryFixture : IAsyncLifetime
{
    /// <summary>Which pub/sub the components are: "memory" or "rabbitmq".</summary>
    public virtual string Broker => "memory";

    protected virtual string PubSubYaml(string name) => Yaml.InMemoryPubSub(name);

    public static readonly string[] Topics =
    [
        "envelope", "success", "retry", "drop", "notfound", "error500", "error400", "lowercase", "textbody", "rules", "noroute", "evalerror",
        "plain-retry", "breaker", "timeout", "expiring", "headers", "declared", "declared-v1", "exponential",
    ];

    private ResourcesFolder? _resources;

    public RecordingApp App { get; private set; } = null!;
    public SidecarProcess Sidecar { get; private set; } = null!;
    public SidecarApi Api { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var subscriptions = new List<string>();
        foreach (var topic in Topics.Where(t => !t.StartsWith("declared", StringComparison.Ordinal)))
        {
            var pubsub = topic switch
            {
                "plain-retry" => "plain",
                "breaker" => "guarded",
                "timeout" => "slow",
                "exponential" => "backoff",
                _ => "pubsub",
            };
            var routes = topic switch
            {
                "rules" => """{"rules":[{"match":"event.type == \"vip\"","path":"/rules/vip"},{"match":"has(event.data.tier) && event.data.tier == \"gold\"","path":"/rules/gold"}],"default":"/rules"}""",
                "noroute" => """{"rules":[{"match":"event.type == \"never\"","path":"/noroute"}]}""",
                "evalerror" => """{"rules":[{"match":"event.data.missing == \"x\"","path":"/evalerror"}],"default":"/evalerror"}""",
                _ => $$"""{"default":"/{{topic}}"}""",
            };
            subscriptions.Add($$"""{"pubsubname":"{{pubsub}}","topic":"{{topic}}","routes":{{routes}},"deadLetterTopic":"{{topic}}-dlq"}""");
            subscriptions.Add($$"""{"pubsubname":"{{pubsub}}","topic":"{{topic}}-dlq","route":"/{{topic}}-dlq"}""");
        }
        subscriptions.Add("""{"pubsubname":"pubsub","topic":"raw","route":"/raw","metadata":{"rawPayload":"true"}}""");
        App = await RecordingApp.StartAsync("[" + string.Join(",", subscriptions) + "]");

        _resources = new ResourcesFolder(
            PubSubYaml("pubsub"), PubSubYaml("plain"), PubSubYaml("guarded"), PubSubYaml("slow"), PubSubYaml("backoff"),
            Yaml.InboundRetry("pubsub", maxRetries: 2, httpStatusCodes: "500-599"),
            Yaml.InboundRetry("guarded", maxRetries: 10, circuitBreakerTrip: "consecutiveFailures > 1").Replace("inbound-guarded", "guarded-policy"),
            Yaml.InboundRetry("slow", maxRetries: 1, timeout: "100ms").Replace("inbound-slow", "slow-policy"),
            Yaml.InboundRetry("backoff", maxRetries: 3, policy: "exponential").Replace("inbound-backoff", "backoff-policy"),
            """
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: declared
            spec:
              pubsubname: pubsub
              topic: declared
              routes:
                default: /declared
            scopes: [deliveries]
            """,
            """
            apiVersion: dapr.io/v1alpha1
            kind: Subscription
            metadata:
              name: declared-v1
            spec:
              pubsubname: pubsub
              topic: declared-v1
              route: /declared-v1
            """,
            """
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: not-for-us
            spec:
              pubsubname: pubsub
              topic: declared
              routes:
                default: /not-for-us
            scopes: [some-other-app]
            """);
        Sidecar = await SidecarProcess.StartForAppAsync("deliveries", App.Port, [_resources.Path]);
        Api = new SidecarApi(Sidecar.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Sidecar.DisposeAsync();
        await App.DisposeAsync();
        _resources?.Dispose();
    }
}

/// <summary>The delivery suite's components on the test RabbitMQ broker (daprd defaults: durable, no dead-letter exchange).</summary>
public sealed class RabbitMqDeliveryFixture : DeliveryFixture
{
    public override string Broker => "rabbitmq";

    protected override string PubSubYaml(string name) => Yaml.RabbitMqPubSub(name);
}

[CollectionDefinition(nameof(DeliveryCollection))]
public sealed class DeliveryCollection : ICollectionFixture<DeliveryFixture>;

[CollectionDefinition(nameof(RabbitMqDeliveryCollection))]
public sealed class RabbitMqDeliveryCollection : ICollectionFixture<RabbitMqDeliveryFixture>;
