using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Veltrix.Hosting.Dapr;

/// <summary>
/// The sidecar's own health endpoints, as Dapr defines them: `/v1.0/healthz/outbound` answers 204 once the components
/// are loaded (the app is not needed for that), `/v1.0/healthz` answers 204 once the app's subscriptions are read too.
/// </summary>
internal static class DaprHealthChecks
{
    // One client for every probe of the run: health checks run every few seconds for as long as the AppHost runs.
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public static async Task<HealthCheckResult> ComponentsLoadedAsync(IReadOnlyList<DaprApp> apps, CancellationToken cancellationToken)
    {
        foreach (var app in apps)
        {
            var seen = await ProbeAsync($"http://127.0.0.1:{app.DaprHttpPort}/v1.0/healthz/outbound", cancellationToken);
            if (seen is not null) return HealthCheckResult.Unhealthy($"components for '{app.AppId}' not loaded: {seen}");
        }
        return HealthCheckResult.Healthy();
    }

    public static async Task<HealthCheckResult> AppReachableAsync(DaprApp app, CancellationToken cancellationToken) =>
        await ProbeAsync($"http://127.0.0.1:{app.DaprHttpPort}/v1.0/healthz", cancellationToken) is { } seen
            ? HealthCheckResult.Unhealthy($"the sidecar of '{app.AppId}' has not read its subscriptions yet: {seen}")
            : HealthCheckResult.Healthy();

    /// <summary>Null when the endpoint answered 204; otherwise what was seen instead.</summary>
    private static async Task<string?> ProbeAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(url, cancellationToken);
            return response.StatusCode == HttpStatusCode.NoContent ? null : $"GET {url} answered {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"GET {url}: {e.Message}";
        }
    }
}
