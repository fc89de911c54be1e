using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Veltrix.Dapr.Serialization;

namespace Veltrix.Dapr.Client;

public partial class DaprClient
{
    private static readonly TimeSpan SidecarPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>True when <c>/v1.0/healthz</c> answers 204: components loaded and the app channel ready.</summary>
    public virtual Task<bool> CheckHealthAsync(CancellationToken cancellationToken = default) => ProbeAsync("v1.0/healthz", cancellationToken);

    /// <summary>True when <c>/v1.0/healthz/outbound</c> answers 204: the API is usable even if the app is not up yet.</summary>
    public virtual Task<bool> CheckOutboundHealthAsync(CancellationToken cancellationToken = default) => ProbeAsync("v1.0/healthz/outbound", cancellationToken);

    /// <summary>
    /// Polls <c>/v1.0/healthz/outbound</c> until the sidecar can serve API calls, for at most <see cref="HealthTimeout"/>
    /// (<c>DAPR_HEALTH_TIMEOUT</c>). Call it at start-up before the first publish or state call.
    /// </summary>
    /// <exception cref="DaprException">The sidecar was not ready in time; the message says what was last seen.</exception>
    public virtual async Task WaitForSidecarAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var lastSeen = "no answer yet";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                // Bound each probe so a hung connection cannot outlive the overall deadline.
                attempt.CancelAfter(Max(HealthTimeout - clock.Elapsed, TimeSpan.FromMilliseconds(50)));
                try
                {
                    using var request = CreateRequest(HttpMethod.Get, "v1.0/healthz/outbound");
                    using var response = await _http.SendAsync(request, attempt.Token);
                    if (response.StatusCode == HttpStatusCode.NoContent) return;
                    lastSeen = $"HTTP {(int)response.StatusCode} {Truncate(await response.Content.ReadAsStringAsync(attempt.Token))}";
                }
                catch (HttpRequestException e)
                {
                    lastSeen = e.Message;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    lastSeen = "the probe timed out";
                }
            }

            if (clock.Elapsed >= HealthTimeout)
                throw new DaprException(
                    $"The Dapr sidecar at {_endpoint} was not ready after {HealthTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s " +
                    $"({DaprDefaults.HealthTimeoutVariable}); last result: {lastSeen}. Check that the sidecar runs and that {DaprDefaults.HttpPortVariable}/{DaprDefaults.HttpEndpointVariable} point at it.");
            await Task.Delay(Min(SidecarPollInterval, HealthTimeout - clock.Elapsed + TimeSpan.FromMilliseconds(1)), cancellationToken);
        }
    }

    /// <summary>Reads the sidecar's metadata: app id, loaded components, subscriptions, extended attributes.</summary>
    public virtual async Task<DaprMetadata> GetMetadataAsync(CancellationToken cancellationToken = default)
    {
        const string operation = "Reading the sidecar metadata";
        using var request = CreateRequest(HttpMethod.Get, "v1.0/metadata");
        using var response = await SendAsync(request, operation, cancellationToken);
        if (!response.IsSuccessStatusCode) throw await DaprErrorParser.CreateAsync(response, operation, cancellationToken);
        return await ReadJsonAsync(response, DaprJsonContext.Default.DaprMetadata, cancellationToken) ?? new DaprMetadata();
    }

    /// <summary>Sets an extended metadata attribute (kept in the sidecar's memory only).</summary>
    public virtual Task SetMetadataAsync(string attributeName, string attributeValue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(attributeName);
        ArgumentNullException.ThrowIfNull(attributeValue);
        var request = CreateRequest(HttpMethod.Put, DaprRequestUris.MetadataKey(attributeName),
            new StringContent(attributeValue, Encoding.UTF8, "text/plain"));
        return SendExpectingNoContentAsync(request, $"Setting metadata attribute '{attributeName}'", cancellationToken);
    }

    /// <summary>Asks the sidecar to shut down gracefully (the SDK's name).</summary>
    public virtual Task ShutdownSidecarAsync(CancellationToken cancellationToken = default) =>
        SendExpectingNoContentAsync(CreateRequest(HttpMethod.Post, "v1.0/shutdown"), "Shutting down the sidecar", cancellationToken);

    /// <summary>Same as <see cref="ShutdownSidecarAsync"/>.</summary>
    public Task ShutdownAsync(CancellationToken cancellationToken = default) => ShutdownSidecarAsync(cancellationToken);

    private async Task<bool> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var request = CreateRequest(HttpMethod.Get, path);
            using var response = await _http.SendAsync(request, cancellationToken);
            return response.StatusCode == HttpStatusCode.NoContent;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    private static string Truncate(string text) => text.Length > 200 ? text[..200] : text;
}
