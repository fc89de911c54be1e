namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// The activity sources and meters a service exports. The hosting and instrumentation packages are not on the feed,
/// so these are the sources ASP.NET Core, Kestrel and HttpClient emit on their own, plus the project's.
/// </summary>
public static class TelemetrySources
{
    public static readonly IReadOnlyList<string> ActivitySources = ["Microsoft.AspNetCore", "System.Net.Http", "Veltrix.*"];

    public static readonly IReadOnlyList<string> Meters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", EventMetrics.MeterName];

    /// <summary>
    /// What <c>/metrics</c> shows: the meters above, the rest of ASP.NET Core's (routing, diagnostics, rate limiting),
    /// every Veltrix meter and the runtime's own (GC, thread pool).
    /// </summary>
    public static bool IsScraped(string meterName) =>
        meterName.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)
        || meterName.StartsWith("Veltrix.", StringComparison.Ordinal)
        || meterName is "System.Net.Http" or "System.Runtime";

    /// <summary>APP_ID (set by dapr run, AppHost and the sidecar injector) names the service everywhere; else the application name.</summary>
    public static string ServiceName(string applicationName) =>
        Environment.GetEnvironmentVariable("APP_ID") is { Length: > 0 } appId ? appId : applicationName;
}
