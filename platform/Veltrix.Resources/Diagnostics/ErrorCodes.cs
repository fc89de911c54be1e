namespace Veltrix.Resources.Diagnostics;

/// <summary>
/// Every VX code the resource reader and the dev sidecar emit. docs/errors.md documents each one; a test keeps
/// the two in step.
/// </summary>
public static class ErrorCodes
{
    // VX1xxx — Dapr resources (components, subscriptions, resiliency) on disk.
    public const string MalformedYaml = "VX1001";
    public const string MissingField = "VX1002";
    public const string UnknownComponentType = "VX1003";
    public const string ComponentNeedsDaprd = "VX1004";
    public const string UnknownMetadataKey = "VX1005";
    public const string InvalidMetadataValue = "VX1006";
    public const string MissingMetadataKey = "VX1007";
    public const string DuplicateComponentName = "VX1008";
    public const string UnknownPubSub = "VX1009";
    public const string UnsupportedRoutingRule = "VX1010";
    public const string InvalidSubscription = "VX1011";
    public const string InvalidResiliencyPolicy = "VX1012";
    public const string UnknownResiliencyPolicy = "VX1013";
    public const string UnsupportedComponentVersion = "VX1014";
    public const string UnknownResourceKind = "VX1015";
    public const string UnknownField = "VX1016";
    public const string ResiliencyTargetNamesNothing = "VX1017";
    public const string ResourcesPathMissing = "VX1018";
    public const string SubscriptionOfOtherApiVersion = "VX1019";
    public const string DuplicateDeclarativeSubscription = "VX1020";
    public const string ActorStateStoreTwice = "VX1021";
    public const string UnresolvedSecret = "VX1022";

    // VX2xxx — the dev sidecar at start-up and at run time.
    public const string InvalidCommandLine = "VX2001";
    public const string PortInUse = "VX2002";
    public const string PublishBoundReached = "VX2010";
    public const string ProgrammaticSubscriptionInvalid = "VX2011";
    public const string NoActorStateStore = "VX2012";

    // VX4001 — dapr.yaml (Dapr's Multi-App Run template), read for AppHost and `veltrix check` alike.
    public const string InvalidRunFile = "VX4001";
}
