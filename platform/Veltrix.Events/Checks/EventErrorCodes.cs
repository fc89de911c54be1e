namespace Veltrix.Events.Checks;

/// <summary>Every VX5xxx code: event configuration, its checks, and configuration versions at run time. docs/errors.md documents each.</summary>
public static class EventErrorCodes
{
    // VX50xx — one EventConfiguration document on its own.
    public const string MissingField = "VX5001";
    public const string UnknownField = "VX5002";
    public const string WrongValueType = "VX5003";
    public const string DuplicateEventType = "VX5004";
    public const string InvalidName = "VX5005";
    public const string UnknownFieldType = "VX5006";
    public const string UnknownLane = "VX5007";
    public const string OrderingKeyNotInSchema = "VX5008";
    public const string InvalidDuration = "VX5009";
    public const string NotPositive = "VX5010";
    public const string WrongApiVersion = "VX5011";
    public const string InvalidRoute = "VX5012";
    public const string AppListedTwice = "VX5013";
    public const string OrderingKeyOptional = "VX5014";
    public const string DuplicateConfigurationName = "VX5015";

    // VX502x — checks across the configuration, the Dapr resources and dapr.yaml.
    public const string UnknownPubSub = "VX5020";
    public const string NotAPubSub = "VX5021";
    public const string ComponentScopedAway = "VX5022";
    public const string UnknownApp = "VX5023";
    public const string NobodyConsumes = "VX5024";
    public const string NobodyProduces = "VX5025";
    public const string DeadLetterOwnerUnknown = "VX5026";
    public const string UnknownRetryPolicy = "VX5027";
    public const string UnboundedRetriesWithoutDeadLetter = "VX5028";
    public const string RetriesMultiplied = "VX5029";
    public const string RawPayloadMismatch = "VX5030";
    public const string SharedConsumerGroup = "VX5031";
    public const string InMemoryAcrossApps = "VX5032";
    public const string TopicSharedByTypes = "VX5033";
    public const string DeadLetterIsEventTopic = "VX5034";
    public const string DuplicateSubscription = "VX5035";
    public const string NoEventConfiguration = "VX5037";
    public const string DeadLetterWithoutRetries = "VX5038";
    public const string AppTargetNamesNoApp = "VX5039";
    public const string InvocationRetriedForever = "VX5040";
    public const string ScopeNamesNoApp = "VX5041";
    public const string DeadLetterTopicUnread = "VX5042";
    public const string DeadLetterTopicShared = "VX5043";
    public const string RawPayloadLosesIdentity = "VX5044";
    public const string ComponentCallsRetriedForever = "VX5045";
    public const string BrokerRedeliversForever = "VX5046";
    public const string ConsumerGroupPerInstance = "VX5047";
    public const string AppTargetNotForDeliveries = "VX5048";

    // VX505x — configuration versions and routing at run time (control service, producers, consumers).
    public const string ConfigurationRefused = "VX5050";
    public const string ActivationConflict = "VX5051";
    public const string UnknownVersion = "VX5052";
    public const string ConsumersNotSubscribed = "VX5053";
    public const string NotAProducer = "VX5054";
    public const string NotDeclared = "VX5055";
    public const string StoreUnavailable = "VX5056";

    // VX506x — dead letters an owner parked (the operator API behind `veltrix deadletters`).
    public const string NotADeadLetterOwner = "VX5060";
    public const string DeadLetterNotFound = "VX5061";
    public const string DeadLetterSelectionMissing = "VX5062";
    public const string OwnerUnreachable = "VX5092";

    // VX509x — the `veltrix` CLI itself.
    public const string CliCannotRun = "VX5090";
    public const string ControlUnreachable = "VX5091";
}
