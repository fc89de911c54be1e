namespace Veltrix.AppHost.Processes;

/// <summary>Finds `daprd` on PATH for --use-daprd.</summary>
public static class Daprd
{
    public static string Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "daprd");
            if (File.Exists(candidate)) return candidate;
        }
        throw new AppHostError(AppHostErrorCodes.DaprdNotFound, "--use-daprd was given but `daprd` is not on PATH",
            "install Dapr (`dapr init` puts daprd in ~/.dapr/bin; add that folder to PATH), or leave out --use-daprd to use the dev sidecar");
    }
}
