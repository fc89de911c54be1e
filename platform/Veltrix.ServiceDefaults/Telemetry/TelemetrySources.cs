namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// What a service's telemetry holds beyond what the instrumentation packages add (ASP.NET Core, Kestrel, HttpClient,
/// gRPC client, runtime): every Veltrix activity source and meter, found by prefix so a new one needs no registration.
/// </summary>
public static class TelemetrySources
{
    public const string VeltrixPrefix = "Veltrix.*";

    /// <summary>Probes and scrapes: asked every few seconds by machines, they would bury the spans people look for.</summary>
    public static bool IsTraced(HttpContext context)
    {
        var path = context.Request.Path;
        return !(path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments(MetricsPath));
    }

    /// <summary>Where Prometheus scrapes every service.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>APP_ID (set by dapr run, AppHost and the sidecar injector) names the service everywhere; else the application name.</summary>
    public static string ServiceName(string applicationName) =>
        Environment.GetEnvironmentVariable("APP_ID") is { Length: > 0 } appId ? appId : applicationName;
}
