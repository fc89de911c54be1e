namespace Veltrix.Cli.Checking;

/// <summary>VX7xxx — Kubernetes manifests (deploy/): what `veltrix check` finds in the kustomize base and overlays.</summary>
public static class DeployErrorCodes
{
    public const string UnknownAppId = "VX7001";
    public const string AppPortMismatch = "VX7002";
    public const string AppWithoutDapr = "VX7003";
    public const string ScopeNamesNoApp = "VX7004";
    public const string SecretNotDefined = "VX7005";
    public const string InMemoryPubSubUnderDaprd = "VX7006";
    public const string ReplicasConsumerGroup = "VX7007";
    public const string ComponentMissingForApp = "VX7008";
    public const string KustomizationPathMissing = "VX7009";
    public const string UnknownDaprAnnotation = "VX7010";
    public const string TokenSecretShared = "VX7011";
}
