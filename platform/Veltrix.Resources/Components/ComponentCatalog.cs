using static Veltrix.Resources.Components.MetadataField;

namespace Veltrix.Resources.Components;

/// <summary>
/// The Dapr component types Veltrix can check, with their metadata keys as daprd's components read them
/// (components-contrib; see the reference contract §7). Which of them a runner can actually run is the runner's
/// business (the dev sidecar supports fewer than daprd).
/// </summary>
public static class ComponentCatalog
{
    // Keys every pub/sub accepts (daprd's topic scoping and consumer group).
    private static readonly MetadataField[] PubSubCommon =
        [new("allowedTopics"), new("publishingScopes"), new("subscriptionScopes"), new("protectedTopics"), new("consumerID")];

    // Keys every state store accepts.
    private static readonly MetadataField[] StateCommon = [new("keyPrefix"), Bool("actorStateStore")];

    public static IReadOnlyList<ComponentTypeInfo> All { get; } =
    [
        new("pubsub.in-memory", ["v1"], [.. PubSubCommon]),
        new("pubsub.rabbitmq", ["v1"],
        [
            .. PubSubCommon, new("connectionString"), new("host"), OneOf("protocol", "amqp", "amqps"), new("hostname"), new("username"), new("password"),
            Bool("durable"), Bool("deletedWhenUnused"), Bool("autoAck"), Int("deliveryMode"), Bool("requeueInFailure"), Int("prefetchCount"),
            OneOf("concurrencyMode", "parallel", "single"), OneOf("exchangeKind", "fanout", "topic", "direct", "headers"), Bool("enableDeadLetter"),
            Int("maxLen"), Int("maxLenBytes"), Bool("publisherConfirm"), Int("reconnectWaitSeconds"), Int("ttlInSeconds"), Duration("heartBeat"),
            new("clientName"), Bool("saslExternal"), new("caCert"), new("clientCert"), new("clientKey"), Bool("publishMessagePropertiesToMetadata"),
        ]),
        new("pubsub.redis", ["v1"],
        [
            .. PubSubCommon, RequiredString("redisHost"), new("redisUsername"), new("redisPassword"), Int("redisDB"), OneOf("redisType", "node", "cluster"),
            Bool("enableTLS"), Duration("redeliverInterval"), Duration("processingTimeout"), Int("queueDepth"), Int("concurrency"), Int("maxLenApprox"),
            Duration("streamTTL"), Bool("failover"), new("sentinelMasterName"), Duration("dialTimeout"), Duration("readTimeout"), Duration("writeTimeout"),
            Int("poolSize"), Int("minIdleConns"), Duration("idleTimeout"), Duration("poolTimeout"), Duration("idleCheckFrequency"), Duration("maxConnAge"),
            Int("redisMaxRetries"), Duration("redisMinRetryInterval"), Duration("redisMaxRetryInterval"),
        ]),
        new("pubsub.kafka", ["v1"],
        [
            .. PubSubCommon, RequiredString("brokers"),
            new("authType", MetadataValueKind.Enum, Required: true, Values: ["none", "password", "mtls", "certificate", "oidc", "oidc_private_key_jwt", "awsiam"]),
            new("consumerGroup"), new("clientID"), OneOf("initialOffset", "newest", "oldest"), Int("maxMessageBytes"), Bool("consumeRetryEnabled"),
            Duration("consumeRetryInterval"), new("version"), Bool("disableTls"), Bool("skipVerify"), new("saslUsername"), new("saslPassword"),
            new("saslMechanism"), new("caCert"), new("clientCert"), new("clientKey"), Duration("sessionTimeout"), Duration("heartbeatInterval"),
            new("compression"), new("producerRequiredAcks"), Bool("escapeHeaders"), new("excludeHeaderMetaRegex"), new("schemaRegistryURL"),
            new("schemaRegistryAPIKey"), new("schemaRegistryAPISecret"), Bool("schemaCachingEnabled"), Duration("schemaLatestVersionCacheTTL"),
            // How the component retries a failed delivery while consumeRetryEnabled is on (dapr/kit's retry settings, read
            // with the prefix "backOff"); backOffMaxRetries is -1, unlimited, unless set (VX5046).
            OneOf("backOffPolicy", "constant", "exponential"), Duration("backOffDuration"), Duration("backOffInitialInterval"),
            Duration("backOffMaxInterval"), Duration("backOffMaxElapsedTime"), Int("backOffMaxRetries"), new("backOffRandomizationFactor"),
            new("backOffMultiplier"),
        ]),
        new("state.in-memory", ["v1"], [.. StateCommon]),
        new("state.sqlite", ["v1"],
        [
            .. StateCommon, RequiredString("connectionString"), Duration("timeout"), Duration("busyTimeout"), Bool("disableWAL"), new("tableName"),
            new("metadataTableName"), Duration("cleanupInterval"),
        ]),
        new("state.postgresql", ["v1", "v2"],
        [
            .. StateCommon, new("connectionString"), new("host"), Int("port"), new("database"), new("user"), new("password"), new("sslRootCert"),
            Duration("timeout"), new("tableName"), new("tablePrefix"), new("metadataTableName"), Duration("cleanupInterval"), Int("maxConns"),
            Duration("connectionMaxIdleTime"), OneOf("queryExecMode", "cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"),
        ]) { RequiredOneOf = [["connectionString", "host"]] },
        new("state.redis", ["v1"],
        [
            .. StateCommon, RequiredString("redisHost"), new("redisUsername"), new("redisPassword"), Int("redisDB"), OneOf("redisType", "node", "cluster"),
            Bool("enableTLS"), Bool("failover"), new("sentinelMasterName"), Int("ttlInSeconds"), new("queryIndexes"), Int("redisMaxRetries"),
            Duration("dialTimeout"), Duration("readTimeout"), Duration("writeTimeout"), Int("poolSize"), Int("minIdleConns"), Duration("idleTimeout"),
        ]),
        // Secret stores (daprd only): what `auth.secretStore` of another component names.
        new("secretstores.local.file", ["v1"], [RequiredString("secretsFile"), new("nestedSeparator"), Bool("multiValued")]),
        new("secretstores.local.env", ["v1"], [new("prefix")]),
        new("secretstores.kubernetes", ["v1"], [new("defaultNamespace"), new("kubeconfigPath")]),
        new("state.etcd", ["v1", "v2"],
        [
            .. StateCommon, RequiredString("endpoints"), new("keyPrefixPath"), Bool("tlsEnable"), new("ca"), new("cert"), new("key"),
        ]),
    ];

    public static ComponentTypeInfo? Find(string type) => All.FirstOrDefault(t => t.Type == type);
}
