using System.Text.Json;

namespace Veltrix.Dapr.Client;

/// <summary>
/// How <see cref="DaprClient"/> reaches its sidecar. Every property left null falls back to the SDK environment
/// conventions in <see cref="DaprDefaults"/>, so an explicit option always wins over the environment.
/// </summary>
public sealed class DaprClientOptions
{
    /// <summary>The sidecar's HTTP endpoint (absolute http/https URL). Null: <see cref="DaprDefaults.GetDefaultHttpEndpoint"/>.</summary>
    public string? HttpEndpoint { get; set; }

    /// <summary>The <c>dapr-api-token</c> to send. Null: <c>DAPR_API_TOKEN</c>; empty string: send no token.</summary>
    public string? DaprApiToken { get; set; }

    /// <summary>Serialises user payloads (event data, state values). Library wire types use source generation instead.</summary>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>How long <see cref="DaprClient.WaitForSidecarAsync"/> waits. Null: <c>DAPR_HEALTH_TIMEOUT</c> seconds, default 60.</summary>
    public TimeSpan? HealthTimeout { get; set; }

    internal Uri ResolveHttpEndpoint()
    {
        var raw = HttpEndpoint ?? DaprDefaults.GetDefaultHttpEndpoint();
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new InvalidOperationException(
                $"The Dapr HTTP endpoint '{raw}' is not an absolute http(s) URL. Set {nameof(HttpEndpoint)} or {DaprDefaults.HttpEndpointVariable} to e.g. http://127.0.0.1:3500.");
        // A trailing slash makes relative API paths append to any base path instead of replacing its last segment.
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    internal string? ResolveDaprApiToken() => DaprApiToken switch
    {
        null => DaprDefaults.GetDefaultDaprApiToken(),
        "" => null,
        var token => token,
    };

    internal TimeSpan ResolveHealthTimeout() => HealthTimeout ?? DaprDefaults.GetDefaultHealthTimeout();
}
