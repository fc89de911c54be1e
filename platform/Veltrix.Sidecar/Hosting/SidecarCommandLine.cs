using System.CommandLine;
using System.Globalization;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Sidecar.Hosting;

/// <summary>
/// daprd-compatible flags (--app-id, --app-port, --dapr-http-port, --dapr-grpc-port, --resources-path …) plus --app for serving several
/// apps from one process. Flags daprd has but that mean nothing here are accepted and ignored, so the same command
/// line works for both.
/// </summary>
public static class SidecarCommandLine
{
    private static readonly Option<string?> AppId = new("--app-id") { Description = "The app's ID (single-app mode)." };
    private static readonly Option<int?> AppPort = new("--app-port") { Description = "Port the app listens on; omit for an app that only calls Dapr." };
    private static readonly Option<int?> HttpPort = new("--dapr-http-port") { Description = "Port for the Dapr HTTP API (default 3500)." };
    private static readonly Option<int?> GrpcPort = new("--dapr-grpc-port") { Description = "Port for the Dapr gRPC API (default 50001)." };
    private static readonly Option<string> ChannelAddress = new("--app-channel-address") { Description = "Address of the app.", DefaultValueFactory = _ => "127.0.0.1" };
    private static readonly Option<string[]> Apps = new("--app")
    {
        Description = "Serve one more app: id=<appId>,app-port=<port>,dapr-http-port=<port>[,dapr-grpc-port=<port>]. Repeatable; apps share the components; an app without dapr-grpc-port gets no gRPC API.",
        Arity = ArgumentArity.ZeroOrMore,
    };
    private static readonly Option<string[]> ResourcesPath = new("--resources-path", "--components-path")
    {
        Description = "Folder with Component, Subscription and Resiliency YAML. Repeatable.",
        Arity = ArgumentArity.ZeroOrMore,
    };
    private static readonly Option<string> MaxBodySize = new("--max-body-size") { Description = "Largest request body, e.g. 4Mi.", DefaultValueFactory = _ => "4Mi" };
    private static readonly Option<int> QueueDepth = new("--subscription-queue-depth") { Description = "Messages one subscription may hold (in-memory pub/sub).", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<int> Concurrency = new("--subscription-concurrency") { Description = "Deliveries to one subscription in flight at once.", DefaultValueFactory = _ => 16 };
    private static readonly Option<int> GracefulSeconds = new("--dapr-graceful-shutdown-seconds") { DefaultValueFactory = _ => 5 };
    private static readonly Option<string> AppProtocol = new("--app-protocol") { DefaultValueFactory = _ => "http" };
    private static readonly Option<int> MaxWorkflowInstances = new("--max-workflow-instances") { Description = "Unfinished workflow instances one app may have; more are refused (ResourceExhausted).", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<int> MaxWorkflowWorkItems = new("--max-workflow-work-items") { Description = "Queued workflow events and activities one app may hold; more raised events are refused (ResourceExhausted).", DefaultValueFactory = _ => 100_000 };

    private static readonly Option<int?> MetricsPort = new("--metrics-port") { Description = "Serve GET /metrics (Prometheus) on this port, as daprd; off unless given." };

    // daprd flags that have no meaning for the dev sidecar.
    private static readonly Option<string?>[] Ignored =
        [new("--log-level"), new("--config"), new("--placement-host-address"),
         new("--scheduler-host-address"), new("--dapr-internal-grpc-port"), new("--profile-port"), new("--app-max-concurrency")];

    public static RootCommand Build()
    {
        var root = new RootCommand("Veltrix dev sidecar: the Dapr HTTP and gRPC APIs for machines without daprd.")
        {
            AppId, AppPort, HttpPort, GrpcPort, ChannelAddress, Apps, ResourcesPath, MaxBodySize, QueueDepth, Concurrency, GracefulSeconds, AppProtocol, MaxWorkflowInstances, MaxWorkflowWorkItems, MetricsPort,
        };
        foreach (var option in Ignored) root.Options.Add(option);
        return root;
    }

    /// <summary>Parses and checks the command line; on failure returns the messages to print (each with its VX code).</summary>
    public static (SidecarOptions? Options, IReadOnlyList<string> Errors) Parse(string[] args)
    {
        var result = Build().Parse(args);
        var errors = result.Errors.Select(e => Error(e.Message, "run with --help to see the flags")).ToList();
        if (errors.Count > 0) return (null, errors);

        var apps = new List<AppOptions>();
        if (result.GetValue(AppId) is { Length: > 0 } appId)
            apps.Add(new AppOptions(appId, result.GetValue(AppPort), result.GetValue(HttpPort) ?? 3500, result.GetValue(ChannelAddress)!, result.GetValue(GrpcPort) ?? 50001));
        foreach (var spec in result.GetValue(Apps) ?? [])
        {
            if (ParseApp(spec, result.GetValue(ChannelAddress)!) is { } app) apps.Add(app);
            else errors.Add(Error($"--app '{spec}' is not of the form id=<appId>,app-port=<port>,dapr-http-port=<port>[,dapr-grpc-port=<port>]", "for example: --app id=hunt,app-port=5001,dapr-http-port=3501"));
        }
        if (apps.Count == 0) errors.Add(Error("no app to serve", "pass --app-id (with --app-port and --dapr-http-port) or one --app per app"));
        foreach (var group in apps.GroupBy(a => a.AppId).Where(g => g.Count() > 1))
            errors.Add(Error($"app ID '{group.Key}' is given twice", "every app needs its own ID"));
        foreach (var group in apps.GroupBy(a => a.HttpPort).Where(g => g.Count() > 1))
            errors.Add(Error($"Dapr HTTP port {group.Key} is given to {string.Join(" and ", group.Select(a => a.AppId))}", "give each app its own --dapr-http-port"));
        foreach (var group in apps.Where(a => a.GrpcPort is not null).GroupBy(a => a.GrpcPort!.Value).Where(g => g.Count() > 1))
            errors.Add(Error($"Dapr gRPC port {group.Key} is given to {string.Join(" and ", group.Select(a => a.AppId))}", "give each app its own dapr-grpc-port"));
        var httpPorts = apps.Select(a => a.HttpPort).ToHashSet();
        foreach (var app in apps.Where(a => a.GrpcPort is { } g && httpPorts.Contains(g)))
            errors.Add(Error($"port {app.GrpcPort} of app {app.AppId} is given both as a Dapr HTTP port and as a Dapr gRPC port", "the gRPC API needs a port of its own (HTTP/2 only)"));
        if (!string.Equals(result.GetValue(AppProtocol), "http", StringComparison.OrdinalIgnoreCase))
            errors.Add(Error($"--app-protocol {result.GetValue(AppProtocol)} is not supported", "the dev sidecar talks HTTP to apps; use --app-protocol http or daprd"));
        if (!TryParseSize(result.GetValue(MaxBodySize)!, out var maxBody))
            errors.Add(Error($"--max-body-size '{result.GetValue(MaxBodySize)}' is not a size", "write e.g. 4Mi, 512Ki or 1048576"));
        if (result.GetValue(QueueDepth) < 1 || result.GetValue(Concurrency) < 1)
            errors.Add(Error("--subscription-queue-depth and --subscription-concurrency must be at least 1", "omit them to use the defaults (10000 and 16)"));
        if (result.GetValue(MaxWorkflowInstances) < 1 || result.GetValue(MaxWorkflowWorkItems) < 1)
            errors.Add(Error("--max-workflow-instances and --max-workflow-work-items must be at least 1", "omit them to use the defaults (10000 and 100000)"));
        if (result.GetValue(MetricsPort) is { } metricsPort)
        {
            if (metricsPort is < 1 or > 65535)
                errors.Add(Error($"--metrics-port {metricsPort} is not a port", "give a port between 1 and 65535, or omit it to serve no metrics"));
            else if (apps.FirstOrDefault(a => a.HttpPort == metricsPort || a.GrpcPort == metricsPort) is { } clash)
                errors.Add(Error($"--metrics-port {metricsPort} is also a Dapr API port of app {clash.AppId}", "the metrics endpoint needs a port of its own"));
        }
        if (errors.Count > 0) return (null, errors);

        var paths = result.GetValue(ResourcesPath) is { Length: > 0 } given ? given : [DefaultResourcesPath()];
        return (new SidecarOptions
        {
            Apps = apps,
            ResourcesPaths = paths,
            MaxBodySize = maxBody,
            SubscriptionQueueDepth = result.GetValue(QueueDepth),
            SubscriptionConcurrency = result.GetValue(Concurrency),
            GracefulShutdown = TimeSpan.FromSeconds(result.GetValue(GracefulSeconds)),
            Workflows = new Workflows.WorkflowLimits(result.GetValue(MaxWorkflowInstances), result.GetValue(MaxWorkflowWorkItems)),
            MetricsPort = result.GetValue(MetricsPort),
            DaprApiToken = NonEmpty(Environment.GetEnvironmentVariable("DAPR_API_TOKEN")),
            AppApiToken = NonEmpty(Environment.GetEnvironmentVariable("APP_API_TOKEN")),
            DaprApiTokensByApp = PerAppTokens("DAPR_API_TOKEN", apps),
            AppApiTokensByApp = PerAppTokens("APP_API_TOKEN", apps),
        }, []);
    }

    /// <summary>`{variable}_{APP}` for each app that has one (see <see cref="AppTokenVariable"/>).</summary>
    private static Dictionary<string, string> PerAppTokens(string variable, IEnumerable<AppOptions> apps) =>
        apps.Select(a => (a.AppId, Token: NonEmpty(Environment.GetEnvironmentVariable(AppTokenVariable.Name(variable, a.AppId)))))
            .Where(a => a.Token is not null)
            .ToDictionary(a => a.AppId, a => a.Token!, StringComparer.Ordinal);

    private static AppOptions? ParseApp(string spec, string channelAddress)
    {
        var parts = spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .ToList();
        if (parts.Any(p => p.Length != 2)) return null;
        var values = parts.ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!values.TryGetValue("id", out var id) || id.Length == 0) return null;
        if (!values.TryGetValue("dapr-http-port", out var http) || !int.TryParse(http, CultureInfo.InvariantCulture, out var httpPort)) return null;
        int? appPort = null;
        if (values.TryGetValue("app-port", out var app))
        {
            if (!int.TryParse(app, CultureInfo.InvariantCulture, out var port)) return null;
            appPort = port;
        }
        // Optional, so the callers from before the gRPC API keep working; without it the app has no gRPC listener.
        int? grpcPort = null;
        if (values.TryGetValue("dapr-grpc-port", out var grpc))
        {
            if (!int.TryParse(grpc, CultureInfo.InvariantCulture, out var port)) return null;
            grpcPort = port;
        }
        return values.Keys.All(k => k is "id" or "app-port" or "dapr-http-port" or "dapr-grpc-port")
            ? new AppOptions(id, appPort, httpPort, channelAddress, grpcPort)
            : null;
    }

    private static bool TryParseSize(string text, out long bytes)
    {
        var units = new (string Suffix, long Factor)[] { ("Ki", 1024), ("Mi", 1024 * 1024), ("Gi", 1024 * 1024 * 1024), ("", 1) };
        foreach (var (suffix, factor) in units)
        {
            if (!text.EndsWith(suffix, StringComparison.Ordinal)) continue;
            if (long.TryParse(text[..^suffix.Length], CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                bytes = n * factor;
                return true;
            }
            break;
        }
        bytes = 0;
        return false;
    }

    private static string DefaultResourcesPath() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dapr", "components");

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Error(string message, string help) => $"error {ErrorCodes.InvalidCommandLine}: {message}\n  help: {help}";
}
