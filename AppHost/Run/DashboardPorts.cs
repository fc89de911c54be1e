using System.Globalization;

namespace Veltrix.AppHost.Run;

/// <summary>
/// Where the Aspire dashboard listens: its browser port and the OTLP/HTTP port every resource exports telemetry to.
/// Fixed (18888/18889, the standalone dashboard's defaults) so the address can be bookmarked, and moved by
/// --port-offset like every other port of the run so a second copy gets its own dashboard. An address the user set in
/// ASPNETCORE_URLS / ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL wins (Aspire reads those itself).
/// </summary>
public sealed record DashboardPorts(int Dashboard, int Otlp)
{
    public const int DefaultDashboard = 18888;
    public const int DefaultOtlp = 18889;

    public static DashboardPorts For(int portOffset) => new(DefaultDashboard + portOffset, DefaultOtlp + portOffset);

    public string DashboardUrl => $"http://127.0.0.1:{Dashboard.ToString(CultureInfo.InvariantCulture)}";

    public string OtlpUrl => $"http://127.0.0.1:{Otlp.ToString(CultureInfo.InvariantCulture)}";
}
