namespace Veltrix.Hosting.Dapr;

/// <summary>
/// The environment variable through which the dev sidecar — one process for every app — learns one app's own token:
/// `DAPR_API_TOKEN_HUNT` for app `hunt` (upper-cased, every character other than a letter or digit an underscore),
/// the name the sidecar reads (Veltrix.Sidecar's AppTokenVariable). daprd serves one app and reads DAPR_API_TOKEN.
/// </summary>
internal static class DevSidecarTokenVariable
{
    public static string Name(string variable, string appId) =>
        variable + "_" + string.Concat(appId.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'));
}
