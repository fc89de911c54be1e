using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Resources.RunTemplates;

/// <summary>
/// Reads Dapr's Multi-App Run template (dapr.yaml) with positions, so every problem is reported as
/// `dapr.yaml:LINE:COL: error VX4001: … help: …`, all problems at once. One reader for AppHost and `veltrix check`,
/// so the two never disagree about the run file.
/// </summary>
public sealed class RunTemplateReader
{
    private static readonly string[] RootKeys = ["version", "name", "common", "apps"];

    // Dapr's SharedRunConfig: allowed under common: and, as overrides, under each app.
    private static readonly string[] SharedKeys =
    [
        "resourcesPath", "resourcesPaths", "configFilePath", "appProtocol", "logLevel", "env", "apiListenAddresses",
        "enableProfiling", "appMaxConcurrency", "placementHostAddress", "schedulerHostAddress", "appSSL", "maxBodySize",
        "readBufferSize", "daprHTTPMaxRequestSize", "daprHTTPReadBufferSize", "enableAppHealthCheck", "appHealthCheckPath",
        "appHealthProbeInterval", "appHealthProbeTimeout", "appHealthThreshold", "enableApiLogging", "runtimePath",
        "daprdLogDestination", "appLogDestination", "unixDomainSocket",
    ];

    private static readonly string[] AppKeys =
    [
        .. SharedKeys, "appDirPath", "appID", "appPort", "command", "daprHTTPPort", "daprGRPCPort", "metricsPort", "profilePort",
        "daprInternalGRPCPort", "appChannelAddress", "containerImage", "containerImagePullPolicy", "createService",
    ];

    // Dapr's keys that AppHost acts on; the others are valid for `dapr run -f` but change nothing here, so they are named.
    private static readonly string[] HonouredKeys =
        ["version", "name", "common", "apps", "resourcesPath", "resourcesPaths", "env", "appDirPath", "appID", "appPort", "command", "daprHTTPPort",
         "daprGRPCPort"];

    private readonly string _file;
    private readonly string _display;
    private readonly List<Diagnostic> _errors = [];
    private readonly List<Diagnostic> _warnings = [];

    private RunTemplateReader(string file)
    {
        _file = file;
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
        _display = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? file : relative;
    }

    /// <summary>Reads and checks the file; throws <see cref="DiagnosticException"/> listing every problem (VX4001 each).</summary>
    public static RunTemplate Read(string file) => new RunTemplateReader(file).Read();

    private RunTemplate Read()
    {
        if (!File.Exists(_file))
            throw Fail(Error(Mark.Empty, $"run file '{_display}' does not exist",
                "run from the repository root (where dapr.yaml is) or pass --file PATH"));

        if (YamlText.Load(File.ReadAllText(_file), out var failure) is not { } stream)
            throw Fail(Error(failure!.Start, $"not valid YAML: {Clean(failure.Reason)}",
                "fix the YAML at that position; indent with spaces only, and write `key: value` with a space after the colon"));

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var at = stream.Documents.Count == 0 ? Mark.Empty : stream.Documents[0].RootNode.Start;
            throw Fail(Error(at, "the run file is not a mapping of `version`, `common` and `apps`",
                "start from the template in docs: `version: 1`, then `apps:` with one entry per app"));
        }

        CheckKeys(root, RootKeys, "top level");
        CheckVersion(root);
        var baseDir = Path.GetDirectoryName(_file)!;
        var common = Child(root, "common") as YamlMappingNode;
        if (Child(root, "common") is { } commonNode and not YamlMappingNode)
            Add(Error(commonNode.Start, "`common` must be a mapping", "write `common:` followed by indented keys such as `resourcesPath: ./components`"));
        var resources = new List<string>();
        var commonEnv = new Dictionary<string, string>();
        if (common is not null)
        {
            CheckKeys(common, SharedKeys, "common");
            resources.AddRange(ResourcesPaths(common, baseDir));
            commonEnv = Env(common);
        }

        var apps = ReadApps(root, baseDir);
        if (_errors.Count > 0) throw new DiagnosticException([.. _errors.OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column)]);
        return new RunTemplate(_file, resources, commonEnv, apps, _warnings);
    }

    private List<TemplateApp> ReadApps(YamlMappingNode root, string baseDir)
    {
        var apps = new List<TemplateApp>();
        var node = Child(root, "apps");
        if (node is not YamlSequenceNode { Children.Count: > 0 } list)
        {
            Add(Error(node?.Start ?? root.Start, node is null ? "`apps` is missing" : "`apps` must be a non-empty list",
                "add `apps:` with one `- appDirPath: …` entry per app"));
            return apps;
        }

        var ids = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var ports = new Dictionary<int, (string Owner, Mark At)>();
        foreach (var item in list.Children)
        {
            if (item is not YamlMappingNode app)
            {
                Add(Error(item.Start, "an entry of `apps` must be a mapping", "write `- appDirPath: ./services/X` and the app's other keys below it"));
                continue;
            }
            CheckKeys(app, AppKeys, "an app");
            foreach (var key in new[] { "resourcesPath", "resourcesPaths" })
                if (Key(app, key) is { } perApp)
                    Add(Error(perApp.Start, $"per-app `{key}` is not supported by AppHost: one sidecar serves every app with the same resources",
                        "move the path to `common.resourcesPaths`, or pass --resources-path"));

            var dirNode = Child(app, "appDirPath");
            string? dir = null;
            if (dirNode is null) Add(Error(app.Start, "`appDirPath` is missing", "add `appDirPath: ./services/<App>` (relative to the run file)"));
            else if (Scalar(dirNode, "appDirPath") is { } dirText)
            {
                dir = Path.GetFullPath(dirText, baseDir);
                if (!Directory.Exists(dir))
                    Add(Error(dirNode.Start, $"appDirPath '{dirText}' does not exist ({dir})", "paths in the run file are relative to the file's folder"));
            }

            var idNode = Child(app, "appID");
            var id = idNode is null
                ? dir is null ? null : Path.GetFileName(Path.TrimEndingDirectorySeparator(dir))
                : Scalar(idNode, "appID");
            if (id is not null && ids.TryGetValue(id, out var first))
                Add(Error((idNode ?? app).Start, $"app ID '{id}' is used twice", "give every app its own `appID`",
                    ((first as YamlMappingNode) is { } firstApp ? Child(firstApp, "appID") ?? first : first).Start));
            if (id is not null) ids[id] = app;

            var appPort = Port(app, "appPort", required: true);
            var httpPort = Port(app, "daprHTTPPort", required: false);
            var grpcPort = Port(app, "daprGRPCPort", required: false);
            foreach (var (port, key) in new[] { (appPort, "appPort"), (httpPort, "daprHTTPPort"), (grpcPort, "daprGRPCPort") })
            {
                if (port is not { } p) continue;
                if (ports.TryGetValue(p, out var owner))
                    Add(Error(Child(app, key)!.Start, $"port {p} is given twice ({owner.Owner} and {id}.{key})", "give every app and every sidecar its own port", owner.At));
                else ports[p] = ($"{id}.{key}", Child(app, key)!.Start);
            }

            var command = Command(app);
            if (id is not null && dir is not null && appPort is { } ap && command is not null)
                apps.Add(new TemplateApp(id, dir, ap, httpPort, grpcPort, command, Env(app))
                {
                    AppPortLocation = new SourceLocation(_file, (int)Child(app, "appPort")!.Start.Line, (int)Child(app, "appPort")!.Start.Column),
                });
        }
        return apps;
    }

    private void CheckVersion(YamlMappingNode root)
    {
        var node = Child(root, "version");
        if (node is null)
        {
            Add(Error(root.Start, "`version` is missing", "add `version: 1` as the first line"));
            return;
        }
        if (node is not YamlScalarNode { Value: "1" })
            Add(Error(node.Start, $"`version` must be 1, not '{Text(node)}'", "write `version: 1` (the only Multi-App Run template version)"));
    }

    private void CheckKeys(YamlMappingNode map, string[] known, string where)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = Text(key);
            if (known.Contains(name, StringComparer.Ordinal))
            {
                if (!HonouredKeys.Contains(name, StringComparer.Ordinal))
                    _warnings.Add(new Diagnostic(ErrorCodes.InvalidRunFile, DiagnosticSeverity.Warning, At(key.Start),
                        $"`{name}` is a Dapr run-file key AppHost does not use; it has no effect here (see docs/apphost.md)",
                        "remove the key, or run with `dapr run -f .` where Dapr is installed"));
                continue;
            }
            Add(Error(key.Start, $"unknown key '{name}' in {where}",
                DidYouMean.Hint(name, known) + "keys are case-sensitive, as in Dapr's Multi-App Run template"));
        }
    }

    private IEnumerable<string> ResourcesPaths(YamlMappingNode common, string baseDir)
    {
        if (Child(common, "resourcesPaths") is { } many)
        {
            if (many is YamlSequenceNode list)
            {
                foreach (var item in list.Children)
                    if (PathValue(item, "resourcesPaths entry") is { } path) yield return Path.GetFullPath(path, baseDir);
            }
            else Add(Error(many.Start, "`resourcesPaths` must be a list", "write `resourcesPaths: [./components]`"));
        }
        if (Child(common, "resourcesPath") is { } one && PathValue(one, "resourcesPath") is { } single)
            yield return Path.GetFullPath(single, baseDir);
    }

    /// <summary>A path value: an empty one would name the project folder itself (and read dapr.yaml as a resource).</summary>
    private string? PathValue(YamlNode node, string what)
    {
        if (Scalar(node, what) is not { } path) return null;
        if (path.Trim().Length > 0) return path;
        Add(Error(node.Start, $"{what} is empty", "write the folder of the Dapr resources, e.g. `resourcesPath: ./components`"));
        return null;
    }

    private List<string>? Command(YamlMappingNode app)
    {
        var node = Child(app, "command");
        if (node is not YamlSequenceNode { Children.Count: > 0 } list)
        {
            Add(Error(node?.Start ?? app.Start, node is null ? "`command` is missing" : "`command` must be a non-empty list",
                "write the command as a list, e.g. command: [\"dotnet\", \"run\", \"--no-build\", \"--urls\", \"http://127.0.0.1:5101\"]"));
            return null;
        }
        var parts = list.Children.Select(c => Scalar(c, "command entry")).ToList();
        return parts.Any(p => p is null) ? null : parts.Select(p => p!).ToList();
    }

    private Dictionary<string, string> Env(YamlMappingNode owner)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(owner, "env") is not { } node) return env;
        if (node is not YamlMappingNode map)
        {
            Add(Error(node.Start, "`env` must be a mapping of names to values", "write `env: {NAME: value}` or one `NAME: value` per line"));
            return env;
        }
        foreach (var (key, value) in map.Children)
            if (Scalar(value, $"env '{Text(key)}'") is { } text) env[Text(key)] = text;
        return env;
    }

    private int? Port(YamlMappingNode app, string key, bool required)
    {
        var node = Child(app, key);
        if (node is null)
        {
            if (required)
                Add(Error(app.Start, $"`{key}` is missing", $"add `{key}: <port>`: AppHost checks the app's GET /healthz on it"));
            return null;
        }
        if (node is YamlScalarNode { Value: { } text } && int.TryParse(text, out var port) && port is > 0 and < 65536) return port;
        Add(Error(node.Start, $"`{key}` must be a port number (1-65535), not '{Text(node)}'", $"write e.g. `{key}: 5101`"));
        return null;
    }

    private string? Scalar(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { } value }) return value;
        Add(Error(node.Start, $"{what} must be a single value", "write a plain value (quote it if it contains ': ' or '#')"));
        return null;
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static YamlNode? Key(YamlMappingNode map, string key) =>
        map.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: { } v } && v == key);

    private static string Text(YamlNode node) => node is YamlScalarNode { Value: { } v } ? v : node.NodeType.ToString().ToLowerInvariant();

    private static string Clean(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: …): " — the position is printed already.
        var dash = message.LastIndexOf("): ", StringComparison.Ordinal);
        return dash >= 0 ? message[(dash + 3)..] : message;
    }

    private SourceLocation At(Mark at) => new(_display, (int)Math.Max(1, at.Line), (int)Math.Max(1, at.Column));

    private Diagnostic Error(Mark at, string message, string help, Mark? related = null) =>
        new(ErrorCodes.InvalidRunFile, DiagnosticSeverity.Error, At(at), message, help, related is { } other ? At(other) : null);

    private void Add(Diagnostic error) => _errors.Add(error);

    private static DiagnosticException Fail(Diagnostic error) => new([error]);
}
