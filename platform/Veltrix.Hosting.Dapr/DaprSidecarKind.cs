namespace Veltrix.Hosting.Dapr;

/// <summary>Which program a sidecar resource runs.</summary>
public enum DaprSidecarKind
{
    /// <summary>The Veltrix dev sidecar: one process, an HTTP and a gRPC API port per app.</summary>
    DevSidecar,

    /// <summary>Dapr's own daprd from PATH: one process per app.</summary>
    Daprd,
}
