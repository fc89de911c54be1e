namespace Veltrix.Sidecar.Hosting;

/// <summary>
/// One app this sidecar process serves: its ID, where the app listens, the Dapr HTTP port for it and, when it has
/// one, its Dapr gRPC port (h2c, what the official SDK uses for publish and state).
/// </summary>
public sealed record AppOptions(string AppId, int? AppPort, int HttpPort, string AppChannelAddress = "127.0.0.1", int? GrpcPort = null);

/// <summary>Everything the sidecar was started with, after the command line was checked.</summary>
public sealed record SidecarOptions
{
    public required IReadOnlyList<AppOptions> Apps { get; init; }
    public required IReadOnlyList<string> ResourcesPaths { get; init; }

    /// <summary>Largest request body the Dapr API accepts (daprd's --max-body-size, default 4Mi).</summary>
    public long MaxBodySize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Messages one subscription may hold before publishers are refused (in-memory pub/sub).</summary>
    public int SubscriptionQueueDepth { get; init; } = 10_000;

    /// <summary>Deliveries to one subscription in flight at once.</summary>
    public int SubscriptionConcurrency { get; init; } = 16;

    /// <summary>Bounds of the workflow engine, per app (--max-workflow-instances, --max-workflow-work-items).</summary>
    public Workflows.WorkflowLimits Workflows { get; init; } = new();

    /// <summary>When set, `GET /metrics` (Prometheus text) is served on this port, as daprd's --metrics-port; off by default.</summary>
    public int? MetricsPort { get; init; }

    public TimeSpan GracefulShutdown { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>When set, every Dapr API call but the health checks must carry it in `dapr-api-token` (DAPR_API_TOKEN: every app's).</summary>
    public string? DaprApiToken { get; init; }

    /// <summary>When set, sent in `dapr-api-token` on every call to the app (APP_API_TOKEN: every app's).</summary>
    public string? AppApiToken { get; init; }

    /// <summary>
    /// An app's own DAPR_API_TOKEN (`DAPR_API_TOKEN_&lt;APP&gt;`): as daprd has one token per app, a token opens only its
    /// own app's ports of this shared process. Takes precedence over <see cref="DaprApiToken"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> DaprApiTokensByApp { get; init; } = new Dictionary<string, string>();

    /// <summary>An app's own APP_API_TOKEN (`APP_API_TOKEN_&lt;APP&gt;`), sent on calls to that app; takes precedence over <see cref="AppApiToken"/>.</summary>
    public IReadOnlyDictionary<string, string> AppApiTokensByApp { get; init; } = new Dictionary<string, string>();

    /// <summary>The token calls on <paramref name="appId"/>'s ports must carry; null: none.</summary>
    public string? DaprApiTokenOf(string appId) => DaprApiTokensByApp.GetValueOrDefault(appId) ?? DaprApiToken;

    /// <summary>The token sent on calls to <paramref name="appId"/>; null: none.</summary>
    public string? AppApiTokenOf(string appId) => AppApiTokensByApp.GetValueOrDefault(appId) ?? AppApiToken;
}
