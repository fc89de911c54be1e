namespace Veltrix.Sidecar.Hosting;

/// <summary>
/// The environment variable of one app's own token in the shared dev sidecar: `DAPR_API_TOKEN_HUNT` for app `hunt`
/// (the app id upper-cased, every character other than a letter or digit an underscore). Veltrix.Hosting.Dapr names
/// the variables it sets the same way.
/// </summary>
public static class AppTokenVariable
{
    public static string Name(string variable, string appId) =>
        variable + "_" + string.Concat(appId.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'));
}
