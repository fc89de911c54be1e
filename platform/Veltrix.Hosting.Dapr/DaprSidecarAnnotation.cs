using Aspire.Hosting.ApplicationModel;

namespace Veltrix.Hosting.Dapr;

/// <summary>
/// Marks an executable resource as a Dapr sidecar and holds what its command line and health checks are made of. The
/// apps are filled in by <c>WithDaprSidecar</c> on each app, after the sidecar is added; the arguments are a callback
/// read when DCP starts the process, so the order in which a Program.cs adds things does not matter.
/// </summary>
public sealed class DaprSidecarAnnotation(DaprSidecarKind kind) : IResourceAnnotation
{
    public DaprSidecarKind Kind { get; } = kind;

    public List<DaprApp> Apps { get; } = [];

    public List<string> ResourcesPaths { get; } = [];

    /// <summary>DAPR_API_TOKEN (app → sidecar); null: no token.</summary>
    public string? DaprApiToken { get; set; }

    /// <summary>APP_API_TOKEN (sidecar → app: the `dapr-api-token` header on deliveries); null: no token.</summary>
    public string? AppApiToken { get; set; }

    /// <summary>The DAPR_API_TOKEN of one app: its own, or the shared one.</summary>
    public string? DaprApiTokenOf(DaprApp app) => app.DaprApiToken ?? DaprApiToken;

    /// <summary>The APP_API_TOKEN of one app: its own, or the shared one.</summary>
    public string? AppApiTokenOf(DaprApp app) => app.AppApiToken ?? AppApiToken;
}
