using Veltrix.Resources.Components;

namespace Veltrix.Sidecar.Api;

/// <summary>
/// The key a store really holds: `&lt;appId&gt;||&lt;key&gt;` by default, or as the component's `keyPrefix` says
/// (appid, name, namespace, none, or a literal prefix). Keys containing `||` are refused, as in daprd.
/// </summary>
public static class StateKeys
{
    public const string Separator = "||";

    public static bool IsLegal(string key) => !key.Contains(Separator, StringComparison.Ordinal);

    /// <summary>
    /// The key of <c>/v1.0/state/{store}/{key}</c> exactly as the client escaped it. Route values cannot give it: Kestrel
    /// leaves <c>%2F</c> escaped in the path while decoding everything else, so a key saved through a body as <c>a/b</c>
    /// (or <c>a%2Fb</c>) would not be the key read back through the URL. Reading the raw target and unescaping it once
    /// makes every key the store accepts in a body readable and deletable through the URL, escaped as
    /// <c>Uri.EscapeDataString</c> (or the SDK) escapes it.
    /// </summary>
    public static string FromUrl(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/') raw = request.Path.Value ?? "";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? raw : raw[..query];
        // /v1.0/state/<store>/<key…>: the key starts after the fourth '/'.
        var slash = -1;
        for (var n = 0; n < 4; n++)
        {
            slash = path.IndexOf('/', slash + 1);
            if (slash < 0) return "";
        }
        return Uri.UnescapeDataString(path[(slash + 1)..]);
    }

    public static string Build(ComponentResource store, string appId, string key)
    {
        var prefix = store.Get("keyPrefix") ?? "appid";
        return prefix.ToLowerInvariant() switch
        {
            "appid" => appId + Separator + key,
            "name" => store.Name + Separator + key,
            "namespace" => "default." + appId + Separator + key,
            "none" => key,
            _ => prefix + Separator + key,
        };
    }
}
