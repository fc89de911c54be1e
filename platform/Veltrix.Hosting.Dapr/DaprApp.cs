namespace Veltrix.Hosting.Dapr;

/// <summary>
/// One app as its sidecar serves it: the app's ID and port, and the sidecar's Dapr HTTP and gRPC API ports for it
/// (what `dapr run` calls --app-id, --app-port, --dapr-http-port and --dapr-grpc-port), and optionally the app's own
/// API tokens — as daprd has one per app — which take precedence over the sidecar's shared ones (<c>WithDaprApiTokens</c>).
/// </summary>
public sealed record DaprApp(string AppId, int AppPort, int DaprHttpPort, int DaprGrpcPort)
{
    /// <summary>This app's DAPR_API_TOKEN (app → sidecar); null: the sidecar's shared one.</summary>
    public string? DaprApiToken { get; init; }

    /// <summary>This app's APP_API_TOKEN (sidecar → app); null: the sidecar's shared one.</summary>
    public string? AppApiToken { get; init; }
}
