using System.Globalization;

namespace Veltrix.Dapr;

/// <summary>
/// The environment conventions the Dapr SDKs share (and that <c>dapr run</c>, Multi-App Run and the Veltrix AppHost set),
/// so an app finds its sidecar without configuration.
/// </summary>
public static class DaprDefaults
{
    public const string HttpEndpointVariable = "DAPR_HTTP_ENDPOINT";
    public const string HttpPortVariable = "DAPR_HTTP_PORT";
    public const string ApiTokenVariable = "DAPR_API_TOKEN";
    public const string AppApiTokenVariable = "APP_API_TOKEN";
    public const string HealthTimeoutVariable = "DAPR_HEALTH_TIMEOUT";

    /// <summary>The header carrying both tokens (app → sidecar and sidecar → app).</summary>
    public const string ApiTokenHeader = "dapr-api-token";

    public const int DefaultHttpPort = 3500;
    public static readonly TimeSpan DefaultHealthTimeout = TimeSpan.FromSeconds(60);

    /// <summary><c>DAPR_HTTP_ENDPOINT</c> (full URL) &gt; <c>http://127.0.0.1:{DAPR_HTTP_PORT}</c> &gt; <c>http://127.0.0.1:3500</c>.</summary>
    public static string GetDefaultHttpEndpoint()
    {
        var endpoint = Environment.GetEnvironmentVariable(HttpEndpointVariable);
        if (!string.IsNullOrWhiteSpace(endpoint)) return endpoint.Trim();

        var port = Environment.GetEnvironmentVariable(HttpPortVariable);
        var portNumber = int.TryParse(port, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : DefaultHttpPort;
        // 127.0.0.1 rather than "localhost": avoids an IPv6-first lookup against a sidecar that listens on IPv4 only.
        return $"http://127.0.0.1:{portNumber.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The token the sidecar expects from this app, or null when none is configured.</summary>
    public static string? GetDefaultDaprApiToken() => NullIfEmpty(Environment.GetEnvironmentVariable(ApiTokenVariable));

    /// <summary>The token the sidecar sends to this app, or null when none is configured.</summary>
    public static string? GetDefaultAppApiToken() => NullIfEmpty(Environment.GetEnvironmentVariable(AppApiTokenVariable));

    /// <summary><c>DAPR_HEALTH_TIMEOUT</c> in seconds, 60 when unset or unreadable.</summary>
    public static TimeSpan GetDefaultHealthTimeout()
    {
        var value = Environment.GetEnvironmentVariable(HealthTimeoutVariable);
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : DefaultHealthTimeout;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
