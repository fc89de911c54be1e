using System.Globalization;

namespace Veltrix.AppHost.Run;

/// <summary>
/// Where the Aspire dashboard listens: its browser address and the OTLP/HTTP address every resource exports telemetry
/// to. By default fixed loopback ports (18888/18889, the standalone dashboard's defaults) so the address can be
/// bookmarked, moved by --port-offset like every other port of the run so a second copy gets its own dashboard. An
/// address set in ASPNETCORE_URLS / ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL wins, as in any Aspire AppHost.
/// </summary>
public sealed record DashboardPorts(string DashboardUrl, string OtlpUrl, bool FromEnvironment)
{
    public const int DefaultDashboard = 18888;
    public const int DefaultOtlp = 18889;

    public static DashboardPorts For(int portOffset)
    {
        var dashboard = FirstUrl("ASPNETCORE_URLS");
        var otlp = FirstUrl("ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL");
        return new DashboardPorts(dashboard ?? Loopback(DefaultDashboard + portOffset), otlp ?? Loopback(DefaultOtlp + portOffset),
            dashboard is not null || otlp is not null);
    }

    /// <summary>The two ports, to check before anything starts (VX4004).</summary>
    public IEnumerable<(int Port, string What)> Ports =>
        new[] { (DashboardUrl, "the Aspire dashboard"), (OtlpUrl, "the dashboard's OTLP endpoint") }
            .Where(u => Uri.TryCreate(u.Item1, UriKind.Absolute, out var uri) && uri.Port > 0)
            .Select(u => (new Uri(u.Item1).Port, u.Item2));

    private static string Loopback(int port) => $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";

    private static string? FirstUrl(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value.Split(';')[0].TrimEnd('/') : null;
}
