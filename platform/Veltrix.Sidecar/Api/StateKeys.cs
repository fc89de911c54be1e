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
