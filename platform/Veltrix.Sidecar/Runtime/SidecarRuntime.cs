namespace Veltrix.Sidecar.Runtime;

/// <summary>
/// The apps this process serves, found by the local port a request arrived on: an app's Dapr HTTP port and its
/// Dapr gRPC port both lead to it, so both front-ends resolve the app the same way.
/// </summary>
public sealed class SidecarRuntime(IReadOnlyList<AppRuntime> apps)
{
    private readonly Dictionary<int, AppRuntime> _byPort = ByPort(apps);

    private readonly Dictionary<string, AppRuntime> _byId = apps.ToDictionary(a => a.AppId, StringComparer.Ordinal);

    public IReadOnlyList<AppRuntime> Apps => apps;

    public AppRuntime For(HttpContext context) => _byPort[context.Connection.LocalPort];

    /// <summary>True when the request came in on a Dapr gRPC port (HTTP/2 only, gRPC's framing and status trailers).</summary>
    public bool IsGrpcPort(int localPort) => _byPort.TryGetValue(localPort, out var app) && app.Options.GrpcPort == localPort;

    /// <summary>The app whose Dapr HTTP or gRPC port <paramref name="localPort"/> is; null for another port (metrics).</summary>
    public AppRuntime? AppOnPort(int localPort) => _byPort.GetValueOrDefault(localPort);

    /// <summary>An app this process serves, by its ID (the target of service invocation).</summary>
    public AppRuntime? Find(string appId) => _byId.GetValueOrDefault(appId);

    private static Dictionary<int, AppRuntime> ByPort(IReadOnlyList<AppRuntime> apps)
    {
        var byPort = new Dictionary<int, AppRuntime>();
        foreach (var app in apps)
        {
            byPort[app.Options.HttpPort] = app;
            if (app.Options.GrpcPort is { } grpc) byPort[grpc] = app;
        }
        return byPort;
    }
}
