namespace Veltrix.Dapr.AspNetCore;

/// <summary>
/// The token the sidecar must present (<c>dapr-api-token</c>) on calls into this app. Configure with
/// <c>services.Configure&lt;DaprAppTokenOptions&gt;(…)</c>; unset falls back to <c>APP_API_TOKEN</c>.
/// </summary>
public sealed class DaprAppTokenOptions
{
    /// <summary>Null: <c>APP_API_TOKEN</c>; empty string: no check even if the variable is set.</summary>
    public string? AppApiToken { get; set; }

    internal string? Resolve() => AppApiToken switch
    {
        null => DaprDefaults.GetDefaultAppApiToken(),
        "" => null,
        var token => token,
    };
}
