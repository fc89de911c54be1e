using System.CommandLine;

namespace Veltrix.AppHost.CommandLine;

/// <summary>`dotnet run --project AppHost -- [flags]`. Relative paths start from the caller's directory.</summary>
public static class AppHostCommandLine
{
    private static readonly Option<string> File = new("--file", "-f")
    {
        Description = "The multi-app run file (Dapr's dapr.yaml), or a folder holding one.",
        DefaultValueFactory = _ => "dapr.yaml",
    };
    private static readonly Option<string?> ResourcesPath = new("--resources-path", "--components-path")
    {
        Description = "Resources folder for the sidecar(s); overrides common.resourcesPath(s) of the run file.",
    };
    private static readonly Option<bool> NoBuild = new("--no-build") { Description = "Do not run `dotnet build Veltrix.sln` first." };
    private static readonly Option<bool> UseDaprd = new("--use-daprd") { Description = "Run one daprd (from PATH) per app instead of the dev sidecar." };
    private static readonly Option<int> PortOffset = new("--port-offset")
    {
        Description = "Added to every appPort and daprHTTPPort, to run beside another run.",
        DefaultValueFactory = _ => 0,
    };
    private static readonly Option<string?> LogDir = new("--log-dir") { Description = "Where logs and run.json go (default .veltrix/logs under the repository)." };
    private static readonly Option<int> HealthTimeout = new("--health-timeout")
    {
        Description = "Seconds to wait for every app and sidecar to be healthy.",
        DefaultValueFactory = _ => 90,
    };

    public static RootCommand Build() =>
        new("Veltrix AppHost: builds, starts the sidecar and every app of dapr.yaml, waits for health, streams logs; Ctrl+C stops all.")
        {
            File, ResourcesPath, NoBuild, UseDaprd, PortOffset, LogDir, HealthTimeout,
        };

    public static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?" or "--version");

    /// <summary>Parses the flags; a bad command line is an <see cref="AppHostError"/> with exit code 2.</summary>
    public static AppHostOptions Parse(string[] args)
    {
        var result = Build().Parse(args);
        if (result.Errors.Count > 0)
            throw Invalid(string.Join("; ", result.Errors.Select(e => e.Message)));
        var offset = result.GetValue(PortOffset);
        if (offset is < -65535 or > 65535) throw Invalid($"--port-offset {offset} is out of range");
        var timeout = result.GetValue(HealthTimeout);
        if (timeout < 1) throw Invalid($"--health-timeout {timeout} must be at least 1 second");

        var cwd = Directory.GetCurrentDirectory();
        var file = Path.GetFullPath(result.GetValue(File)!, cwd);
        if (Directory.Exists(file)) file = Path.Combine(file, "dapr.yaml");
        return new AppHostOptions
        {
            RunFile = file,
            ResourcesPath = result.GetValue(ResourcesPath) is { Length: > 0 } resources ? Path.GetFullPath(resources, cwd) : null,
            NoBuild = result.GetValue(NoBuild),
            UseDaprd = result.GetValue(UseDaprd),
            PortOffset = offset,
            LogDir = result.GetValue(LogDir) is { Length: > 0 } logs ? Path.GetFullPath(logs, cwd) : null,
            HealthTimeout = TimeSpan.FromSeconds(timeout),
        };
    }

    private static AppHostError Invalid(string message) =>
        new(AppHostErrorCodes.InvalidCommandLine, message, "run `dotnet run --project AppHost -- --help` to see the flags", exitCode: 2);
}
