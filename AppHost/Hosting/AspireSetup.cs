using Veltrix.AppHost.Run;

namespace Veltrix.AppHost.Hosting;

/// <summary>
/// How Aspire itself is set up for a run: the dashboard on fixed, offset-shifted loopback ports over plain HTTP (a
/// local run has no certificate to trust, and nothing leaves 127.0.0.1). Passed as Aspire configuration rather than environment variables, so the apps
/// and the sidecar (which inherit AppHost's environment) never see the dashboard's ASPNETCORE_URLS.
/// </summary>
internal static class AspireSetup
{
    /// <summary>Where Aspire keeps the dashboard's login token (generated per run unless the user set one).</summary>
    public const string BrowserTokenKey = "AppHost:BrowserToken";

    public static DistributedApplicationOptions For(PreparedRun run)
    {
        var config = new List<string> { "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true" };
        config.Add($"--ASPNETCORE_URLS={run.Dashboard.DashboardUrl}");
        if (!IsSet("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL") && !IsSet("DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL") && !IsSet("DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"))
            config.Add($"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL={run.Dashboard.OtlpUrl}");
        return new DistributedApplicationOptions { Args = [.. config], AllowUnsecuredTransport = true };
    }

    public static DistributedApplicationOptions AspireOptions(this PreparedRun run) => For(run);

    private static bool IsSet(string variable) => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable));
}
