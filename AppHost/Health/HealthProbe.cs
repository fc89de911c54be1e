using System.Net;

namespace Veltrix.AppHost.Health;

/// <summary>One look at a health endpoint: healthy or not, and what was seen (for the VX4005 message).</summary>
public sealed record HealthResult(bool Healthy, string Seen);

/// <summary>
/// The checks that decide "started": the app's `GET /healthz` answers 200, and its sidecar's `GET /v1.0/healthz`
/// answers 204 (components loaded and the app's subscriptions discovered).
/// </summary>
public sealed class HealthProbe : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public Task<HealthResult> AppAsync(int appPort) => GetAsync($"http://127.0.0.1:{appPort}/healthz", HttpStatusCode.OK);

    public Task<HealthResult> SidecarAsync(int daprHttpPort) => GetAsync($"http://127.0.0.1:{daprHttpPort}/v1.0/healthz", HttpStatusCode.NoContent);

    /// <summary>Components loaded, API usable (before any app is up).</summary>
    public Task<HealthResult> SidecarOutboundAsync(int daprHttpPort) =>
        GetAsync($"http://127.0.0.1:{daprHttpPort}/v1.0/healthz/outbound", HttpStatusCode.NoContent);

    private async Task<HealthResult> GetAsync(string url, HttpStatusCode expected)
    {
        try
        {
            using var response = await _http.GetAsync(url);
            if (response.StatusCode == expected) return new HealthResult(true, $"GET {url}: {(int)expected}");
            var body = await response.Content.ReadAsStringAsync();
            body = body.Length > 300 ? body[..300] + "…" : body;
            return new HealthResult(false, $"GET {url} answered {(int)response.StatusCode}{(body.Length > 0 ? " " + body.ReplaceLineEndings(" ") : "")}");
        }
        catch (HttpRequestException e)
        {
            return new HealthResult(false, $"GET {url} failed: {e.Message}");
        }
        catch (TaskCanceledException)
        {
            return new HealthResult(false, $"GET {url} did not answer within 2s");
        }
    }

    public void Dispose() => _http.Dispose();
}
