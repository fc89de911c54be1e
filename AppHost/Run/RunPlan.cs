using System.Text.RegularExpressions;
using Veltrix.AppHost.Build;
using Veltrix.AppHost.CommandLine;
using Veltrix.Resources.RunTemplates;

namespace Veltrix.AppHost.Run;

/// <summary>
/// One app as it will run: ports after --port-offset (the sidecar's HTTP and gRPC API ports taken free when dapr.yaml
/// leaves them out), the command with its --urls rewritten, the template env.
/// </summary>
public sealed record PlannedApp(
    string AppId,
    string AppDirPath,
    int AppPort,
    int DaprHttpPort,
    int DaprGrpcPort,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> TemplateEnv)
{
    /// <summary>
    /// The project Aspire runs as a project resource when the command is `dotnet run` in a folder with one project file
    /// (every service of the repository's dapr.yaml); null: the command runs as an executable resource as written.
    /// </summary>
    public string? Project =>
        Command.Count >= 2 && Path.GetFileNameWithoutExtension(Command[0]) == "dotnet" && Command[1] == "run" && !Command.Contains("--project")
        && Directory.Exists(AppDirPath) && Directory.GetFiles(AppDirPath, "*.csproj") is [var project]
            ? project
            : null;

    public string Url => $"http://127.0.0.1:{AppPort}/";
}

/// <summary>Everything decided before the first process starts.</summary>
public sealed partial record RunPlan(
    string RepositoryRoot,
    IReadOnlyList<PlannedApp> Apps,
    IReadOnlyList<string> ResourcesPaths,
    string LogDir,
    bool UseDaprd,
    string SidecarAssembly,
    TimeSpan HealthTimeout,
    int PortOffset)
{
    public static RunPlan Create(AppHostOptions options, RunTemplate template, string repositoryRoot)
    {
        var fixedPorts = template.Apps.Select(app => (
            App: app,
            AppPort: Shift(app.AppPort, options.PortOffset, app.AppId, "appPort"),
            HttpPort: app.DaprHttpPort is { } h ? Shift(h, options.PortOffset, app.AppId, "daprHTTPPort") : (int?)null,
            GrpcPort: app.DaprGrpcPort is { } g ? Shift(g, options.PortOffset, app.AppId, "daprGRPCPort") : (int?)null)).ToList();
        // The ports the file gives are taken first; each port left open is then one that no other port of the run has.
        var planned = fixedPorts.SelectMany(a => new[] { a.AppPort, a.HttpPort, a.GrpcPort }).OfType<int>().ToHashSet();
        var apps = fixedPorts.Select(a =>
        {
            var (app, appPort) = (a.App, a.AppPort);
            var httpPort = a.HttpPort ?? PortCheck.AnyFreePort(planned);
            var grpcPort = a.GrpcPort ?? PortCheck.AnyFreePort(planned);
            var command = app.Command.Select(arg => RewriteUrl(arg, app.AppPort, appPort)).ToList();
            var env = new Dictionary<string, string>(template.CommonEnv, StringComparer.Ordinal);
            foreach (var (key, value) in app.Env) env[key] = value;
            return new PlannedApp(app.AppId, app.AppDirPath, appPort, httpPort, grpcPort, command, env);
        });
        // Leaderboard first: its page is what a person opens.
        var ordered = apps.OrderBy(a => a.AppId == "leaderboard" ? 0 : 1).ToList();
        var resources = options.ResourcesPath is { } given ? [given] : template.ResourcesPaths;
        return new RunPlan(repositoryRoot, ordered, resources,
            options.LogDir ?? Path.Combine(repositoryRoot, ".veltrix", "logs"), options.UseDaprd,
            BuildOutputs.SidecarAssembly(repositoryRoot), options.HealthTimeout, options.PortOffset);
    }

    /// <summary>`http://127.0.0.1:5104` (or localhost, any scheme, optional trailing slash) on the template port → the shifted port.</summary>
    private static string RewriteUrl(string arg, int templatePort, int port) =>
        templatePort == port ? arg : UrlWithPort().Replace(arg, m => m.Groups["port"].Value == templatePort.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ? $"{m.Groups["prefix"].Value}:{port}"
            : m.Value);

    private static int Shift(int port, int offset, string appId, string key)
    {
        var shifted = port + offset;
        if (shifted is < 1 or > 65535)
            throw new AppHostError(AppHostErrorCodes.InvalidCommandLine, $"--port-offset {offset} moves {appId}.{key} {port} to {shifted}, which is not a port",
                "choose an offset that keeps every port between 1 and 65535", exitCode: 2);
        return shifted;
    }

    [GeneratedRegex(@"(?<prefix>https?://[^/:;,\s]+):(?<port>\d+)")]
    private static partial Regex UrlWithPort();
}
