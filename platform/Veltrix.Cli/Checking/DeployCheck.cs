using Veltrix.Events.Checks;
using Veltrix.Events.Model;
using Veltrix.Resources;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.RunTemplates;
using Veltrix.Resources.Subscriptions;
using Veltrix.Resources.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Cli.Checking;

/// <summary>
/// deploy/ (docs/deploy.md): each overlay under deploy/overlays/ (or, without overlays, each kustomization directly
/// under deploy/) is assembled the way kustomize assembles it — resources, kustomize Components, JSON patches on
/// Dapr components' scopes and metadata, `replicas:` and secret generators — keeping the file, line and column each
/// value came from, and checked against dapr.yaml, the event configuration and the resources folder. Strategic-merge
/// and inline patches are not followed; `kubectl kustomize` and DeployManifestTests check the rendered result.
/// </summary>
public static class DeployCheck
{
    private static readonly string[] KustomizationNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
    private static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet"];
    private static readonly string[] ConsumerGroupKeys = ["consumerID", "consumerGroup"];
    private static readonly string[] PerPodPlaceholders = ["{podName}", "{uuid}"];

    // The pod annotations Dapr's sidecar injector reads (Dapr 1.14+); it ignores any other dapr.io/ key without a word.
    private static readonly string[] DaprAnnotations =
    [
        "enabled", "app-id", "app-port", "app-protocol", "app-ssl", "app-channel-address", "app-max-concurrency", "config", "log-level",
        "log-as-json", "enable-api-logging", "enable-profiling", "enable-metrics", "metrics-port", "enable-debug", "debug-port", "env",
        "env-from-secret", "api-token-secret", "app-token-secret", "grpc-port", "internal-grpc-port", "sidecar-cpu-request",
        "sidecar-cpu-limit", "sidecar-memory-request", "sidecar-memory-limit", "sidecar-listen-addresses", "sidecar-image",
        "sidecar-seccomp-profile-type", "sidecar-liveness-probe-delay-seconds", "sidecar-liveness-probe-timeout-seconds",
        "sidecar-liveness-probe-period-seconds", "sidecar-liveness-probe-threshold", "sidecar-readiness-probe-delay-seconds",
        "sidecar-readiness-probe-timeout-seconds", "sidecar-readiness-probe-period-seconds", "sidecar-readiness-probe-threshold",
        "http-max-request-size", "max-body-size", "http-read-buffer-size", "read-buffer-size", "graceful-shutdown-seconds",
        "block-shutdown-duration", "unix-domain-socket-path", "volume-mounts", "volume-mounts-rw", "disable-builtin-k8s-secret-store",
        "enable-app-health-check", "app-health-check-path", "app-health-probe-interval", "app-health-probe-timeout", "app-health-threshold",
        "placement-host-address", "scheduler-host-address", "pluggable-components", "pluggable-components-sockets-folder",
        "component-container", "inject-pluggable-components", "sentry-request-jwt-audiences",
    ];

    public static void Run(string root, IReadOnlyList<TemplateApp>? apps, IReadOnlyList<EventConfiguration> configurations,
        IReadOnlyList<ComponentResource>? folderComponents, List<Diagnostic> diagnostics)
    {
        var deploy = Path.Combine(root, "deploy");
        if (!Directory.Exists(deploy)) return;
        var overlays = Path.Combine(deploy, "overlays");
        var entries = (Directory.Exists(overlays) ? Directory.GetDirectories(overlays) : Directory.GetDirectories(deploy))
            .Where(d => KustomizationFile(d) is not null).Order(StringComparer.Ordinal).ToList();
        foreach (var entry in entries)
        {
            var tree = new Tree(new DiagnosticSink(diagnostics));
            var objects = tree.LoadKustomization(entry);
            var name = Path.GetRelativePath(root, entry).Replace('\\', '/');
            new OverlayCheck(name, entry, tree, objects, apps, configurations, folderComponents, new DiagnosticSink(diagnostics)).Run();
        }
    }

    private static string? KustomizationFile(string directory) =>
        KustomizationNames.Select(n => Path.Combine(directory, n)).FirstOrDefault(File.Exists);

    /// <summary>A metadata entry of a Dapr component: its value or secret reference, where each was written.</summary>
    private sealed record MetadataItem(string Name, string? Value, SourceLocation? ValueAt, string? SecretName, SourceLocation? SecretAt)
    {
        public static MetadataItem? From(YamlNode node, string file)
        {
            if (node is not YamlMappingNode map || map.Scalar("name") is not { } name) return null;
            var value = map.Child("value") as YamlScalarNode;
            var secret = (map.Child("secretKeyRef") as YamlMappingNode)?.Child("name") as YamlScalarNode;
            return new MetadataItem(name, value?.Value, value?.At(file), secret?.Value, secret?.At(file));
        }
    }

    private sealed class Manifest(string kind, string name, string file, YamlMappingNode root)
    {
        public string Kind { get; } = kind;
        public string Name { get; } = name;
        public string File { get; } = file;
        public YamlMappingNode Root { get; } = root;
        public List<MetadataItem?> Metadata { get; } = [];
        public List<(string App, SourceLocation At)>? Scopes { get; set; }
        public SourceLocation? ScopesAt { get; set; }
        public int Replicas { get; set; } = 1;
        public bool IsDaprComponent => Kind == "Component" && Root.Scalar("apiVersion")?.StartsWith("dapr.io/", StringComparison.Ordinal) == true;
        public string? Type => (Root.Child("spec") as YamlMappingNode)?.Scalar("type");
        public YamlNode? TypeNode => (Root.Child("spec") as YamlMappingNode)?.Child("type");
    }

    /// <summary>Reads kustomizations and the files they name, the way kustomize composes them.</summary>
    private sealed class Tree(DiagnosticSink sink)
    {
        private readonly HashSet<string> _visiting = new(StringComparer.Ordinal);

        public HashSet<string> Secrets { get; } = new(StringComparer.Ordinal);

        /// <summary>Where the entry kustomization lists its resources (where a missing component belongs).</summary>
        public SourceLocation? ResourcesAt { get; private set; }

        public List<Manifest> LoadKustomization(string directory)
        {
            var file = KustomizationFile(directory);
            var objects = new List<Manifest>();
            if (file is null || !_visiting.Add(Path.GetFullPath(directory))) return objects;
            if (ReadMapping(file) is { } map)
            {
                ResourcesAt ??= map.KeyNode("resources")?.At(file) ?? SourceLocation.Start(file);
                foreach (var entry in Entries(map, "resources")) objects.AddRange(LoadEntry(directory, file, entry));
                foreach (var entry in Entries(map, "components"))
                {
                    var component = Path.Combine(directory, entry.Value!);
                    if (KustomizationFile(component) is not { } componentFile)
                    {
                        Missing(file, entry, "a kustomize Component folder with a kustomization.yaml");
                        continue;
                    }
                    if (ReadMapping(componentFile) is not { } componentMap) continue;
                    foreach (var inner in Entries(componentMap, "resources")) objects.AddRange(LoadEntry(component, componentFile, inner));
                    Apply(component, componentFile, componentMap, objects);
                }
                Apply(directory, file, map, objects);
            }
            _visiting.Remove(Path.GetFullPath(directory));
            return objects;
        }

        private IEnumerable<Manifest> LoadEntry(string directory, string file, YamlScalarNode entry)
        {
            var value = entry.Value!;
            if (value.Contains("://", StringComparison.Ordinal) || value.StartsWith("github.com/", StringComparison.Ordinal)) return []; // remote: not read
            var path = Path.Combine(directory, value);
            if (Directory.Exists(path))
            {
                if (KustomizationFile(path) is not null) return LoadKustomization(path);
                Missing(file, entry, "a folder with a kustomization.yaml (or Kustomization)");
                return [];
            }
            if (!File.Exists(path))
            {
                Missing(file, entry, "a file or a kustomization folder");
                return [];
            }
            return ResourceFileReader.ReadFile(path, sink.All).Select(raw => ToManifest(raw)).ToList();
        }

        private static Manifest ToManifest(RawResource raw)
        {
            var name = (raw.Root.Child("metadata") as YamlMappingNode)?.Scalar("name") ?? "";
            var manifest = new Manifest(raw.Kind ?? "", name, raw.File, raw.Root);
            if (raw.Root.Child("spec") is YamlMappingNode spec)
            {
                if (spec.Child("metadata") is YamlSequenceNode items) manifest.Metadata.AddRange(items.Children.Select(i => MetadataItem.From(i, raw.File)));
                if (spec.Scalar("replicas") is { } replicas && int.TryParse(replicas, out var count)) manifest.Replicas = count;
            }
            if (raw.Root.Child("scopes") is YamlSequenceNode scopes)
            {
                manifest.Scopes = Scopes(scopes, raw.File);
                manifest.ScopesAt = scopes.At(raw.File);
            }
            return manifest;
        }

        private static List<(string, SourceLocation)> Scopes(YamlSequenceNode list, string file) =>
            list.Children.OfType<YamlScalarNode>().Where(s => !string.IsNullOrEmpty(s.Value)).Select(s => (s.Value!, s.At(file))).ToList();

        /// <summary>A kustomization's own transformations, on the objects gathered so far.</summary>
        private void Apply(string directory, string file, YamlMappingNode map, List<Manifest> objects)
        {
            foreach (var patch in (map.Child("patches") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [])
            {
                if (patch.Child("path") is not YamlScalarNode { Value: { Length: > 0 } relative } pathNode) continue; // inline: not followed
                var path = Path.Combine(directory, relative);
                if (!File.Exists(path))
                {
                    Missing(file, pathNode, "a patch file");
                    continue;
                }
                if (ReadNode(path) is not YamlSequenceNode operations) continue; // a strategic-merge patch: not followed
                var target = patch.Child("target") as YamlMappingNode;
                var targets = objects.Where(o => (target?.Scalar("kind") is not { } kind || kind == o.Kind) && (target?.Scalar("name") is not { } name || name == o.Name)).ToList();
                foreach (var operation in operations.Children.OfType<YamlMappingNode>())
                    foreach (var manifest in targets) ApplyOperation(manifest, operation, path);
            }
            foreach (var replicas in (map.Child("replicas") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [])
            {
                if (replicas.Scalar("name") is not { } name || !int.TryParse(replicas.Scalar("count"), out var count)) continue;
                foreach (var workload in objects.Where(o => o.Name == name && WorkloadKinds.Contains(o.Kind))) workload.Replicas = count;
            }
            foreach (var generator in (map.Child("secretGenerator") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [])
                if (generator.Scalar("name") is { } secret) Secrets.Add(secret);
        }

        private static void ApplyOperation(Manifest manifest, YamlMappingNode operation, string file)
        {
            var op = operation.Scalar("op");
            var path = operation.Scalar("path") ?? "";
            var value = operation.Child("value");
            if (op is not ("add" or "replace") || value is null) return;
            var parts = path.Split('/');
            if (path == "/scopes" && value is YamlSequenceNode scopes)
            {
                manifest.Scopes = Scopes(scopes, file);
                manifest.ScopesAt = value.At(file);
            }
            else if (path == "/spec/replicas" && int.TryParse(value.ScalarValue(), out var replicas))
            {
                manifest.Replicas = replicas;
            }
            else if (parts is ["", "spec", "metadata", "-"])
            {
                manifest.Metadata.Add(MetadataItem.From(value, file));
            }
            else if (parts is ["", "spec", "metadata", var index] && int.TryParse(index, out var i) && i >= 0 && i <= manifest.Metadata.Count)
            {
                if (op == "add" || i == manifest.Metadata.Count) manifest.Metadata.Insert(i, MetadataItem.From(value, file));
                else manifest.Metadata[i] = MetadataItem.From(value, file);
            }
            else if (parts is ["", "spec", "metadata", var at, "value"] && int.TryParse(at, out var j) && j >= 0 && j < manifest.Metadata.Count
                     && manifest.Metadata[j] is { } item && value is YamlScalarNode scalar)
            {
                manifest.Metadata[j] = item with { Value = scalar.Value, ValueAt = scalar.At(file), SecretName = null, SecretAt = null };
            }
        }

        private void Missing(string file, YamlScalarNode entry, string what) =>
            sink.Error(DeployErrorCodes.KustomizationPathMissing, entry.At(file), $"'{entry.Value}' does not exist (expected {what}); kustomize stops here",
                "correct the path; it is relative to the folder of this kustomization");

        private static IEnumerable<YamlScalarNode> Entries(YamlMappingNode map, string key) =>
            (map.Child(key) as YamlSequenceNode)?.Children.OfType<YamlScalarNode>().Where(s => !string.IsNullOrEmpty(s.Value)) ?? [];

        private YamlMappingNode? ReadMapping(string file) => ReadNode(file) as YamlMappingNode;

        private YamlNode? ReadNode(string file)
        {
            if (YamlText.Load(File.ReadAllText(file), out var failure) is not { } stream)
            {
                sink.Error(ErrorCodes.MalformedYaml, new SourceLocation(file, (int)failure!.Start.Line, (int)failure.Start.Column),
                    $"the file is not valid YAML: {failure.Reason}", "check the indentation (spaces only) and that every 'key: value' has a space after the colon");
                return null;
            }
            return stream.Documents.FirstOrDefault()?.RootNode;
        }
    }

    private sealed class OverlayCheck(string overlay, string entry, Tree tree, List<Manifest> objects, IReadOnlyList<TemplateApp>? apps,
        IReadOnlyList<EventConfiguration> configurations, IReadOnlyList<ComponentResource>? folderComponents, DiagnosticSink sink)
    {
        private readonly Dictionary<string, (Manifest Workload, bool Dapr)> _workloads = new(StringComparer.Ordinal);
        private readonly List<(string Secret, string App, string Annotation, SourceLocation At)> _tokenSecrets = [];

        public void Run()
        {
            foreach (var workload in objects.Where(o => WorkloadKinds.Contains(o.Kind))) CheckWorkload(workload);
            CheckTokenSecretsPerApp();
            foreach (var component in objects.Where(o => o.IsDaprComponent)) CheckComponent(component);
            CheckComponentsInScope();
            CheckConsumerGroups();
            CheckSubscriptions();
        }

        /// <summary>
        /// Dapr Subscriptions among the manifests: read as in a resources folder (their shape, apiVersion and routes),
        /// checked as there against each other (VX1020) and the event types (VX5030, VX5035), and each dead-letter topic
        /// must have a reader in this overlay or the event configuration (VX5042) — wherever a subscription is declared.
        /// </summary>
        private void CheckSubscriptions()
        {
            var subscriptions = objects
                .Where(o => o.Kind == "Subscription" && o.Root.Scalar("apiVersion")?.StartsWith("dapr.io/", StringComparison.Ordinal) == true)
                .Select(o => SubscriptionReader.Read(new RawResource(o.File, o.Root.Scalar("apiVersion"), o.Kind, o.Root), sink))
                .OfType<SubscriptionResource>()
                .ToList();
            SharedResourceChecks.Run([], subscriptions, sink); // two Subscriptions on one topic for one app (VX1020)
            foreach (var definition in configurations.SelectMany(c => c.Events)) DeclarativeSubscriptionsOfEvent.Check(definition, subscriptions, sink);
            UnreadDeadLetterTopics.Check(configurations.SelectMany(c => c.Events), subscriptions, sink);
        }

        private HashSet<string> DefinedSecrets => [.. tree.Secrets, .. objects.Where(o => o.Kind == "Secret").Select(o => o.Name)];

        private IEnumerable<string> AppIds => apps?.Select(a => a.AppId) ?? [];

        private void CheckWorkload(Manifest workload)
        {
            if ((workload.Root.Child("spec") as YamlMappingNode)?.Child("template") is not YamlMappingNode template) return;
            var metadata = template.Child("metadata") as YamlMappingNode;
            var annotations = metadata?.Child("annotations") as YamlMappingNode;
            YamlScalarNode? Annotation(string key) => annotations?.Child($"dapr.io/{key}") as YamlScalarNode;

            foreach (var (key, keyNode, _) in annotations?.Entries() ?? [])
            {
                if (!key.StartsWith("dapr.io/", StringComparison.Ordinal) || DaprAnnotations.Contains(key["dapr.io/".Length..])) continue;
                sink.Warning(DeployErrorCodes.UnknownDaprAnnotation, keyNode.At(workload.File),
                    $"'{key}' is not an annotation Dapr's sidecar injector reads: it is ignored without a word",
                    $"{DidYouMean.Hint(key, DaprAnnotations.Select(a => $"dapr.io/{a}"))}see Dapr's list of annotations (docs.dapr.io, arguments and annotations)");
            }

            var enabled = Annotation("enabled");
            var dapr = enabled?.Value == "true";
            var appIdNode = Annotation("app-id");
            var appId = appIdNode?.Value ?? workload.Name;
            _workloads[appId] = (workload, dapr);

            if (dapr && apps is not null)
            {
                var app = apps.FirstOrDefault(a => a.AppId == appId);
                if (app is null && appIdNode is not null)
                {
                    sink.Error(DeployErrorCodes.UnknownAppId, appIdNode.At(workload.File), $"dapr.io/app-id '{appId}' is not an app of dapr.yaml",
                        $"{DidYouMean.Hint(appId, AppIds)}the apps of dapr.yaml: {string.Join(", ", AppIds)}");
                }
                else if (app is not null)
                {
                    var port = app.AppPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (Annotation("app-port") is not { } portNode)
                        sink.Error(DeployErrorCodes.AppPortMismatch, (annotations ?? template).At(workload.File),
                            $"'{appId}' has no dapr.io/app-port: its sidecar never delivers events or invocations to it",
                            $"add dapr.io/app-port: \"{port}\" (the appPort of dapr.yaml)");
                    else if (portNode.Value != port)
                        sink.Error(DeployErrorCodes.AppPortMismatch, portNode.At(workload.File),
                            $"dapr.io/app-port '{portNode.Value}' of '{appId}' is not its appPort in dapr.yaml ({port}): the sidecar would call a port the app does not listen on",
                            $"write \"{port}\", or change appPort in dapr.yaml and the container's port together", app.AppPortLocation);
                }
            }
            if (!dapr && EventApps().TryGetValue(appId, out var role))
            {
                var at = enabled is not null ? enabled.At(workload.File) : (annotations ?? metadata ?? template).At(workload.File);
                sink.Error(DeployErrorCodes.AppWithoutDapr, at, $"'{appId}' {role} but its pods get no Dapr sidecar (dapr.io/enabled is not \"true\")",
                    "set the pod template's annotation dapr.io/enabled: \"true\" (with dapr.io/app-id and dapr.io/app-port)");
            }

            var secrets = DefinedSecrets;
            foreach (var key in new[] { "api-token-secret", "app-token-secret" })
                if (Annotation(key) is { Value: { Length: > 0 } secret } node)
                {
                    if (!secrets.Contains(secret)) SecretMissing(secret, node.At(workload.File), secrets);
                    if (dapr) _tokenSecrets.Add((secret, appId, $"dapr.io/{key}", node.At(workload.File)));
                }
            foreach (var reference in Descendants(template).OfType<YamlMappingNode>().Select(m => m.Child("secretKeyRef")).OfType<YamlMappingNode>())
                if (reference.Child("name") is YamlScalarNode { Value: { Length: > 0 } secret } node && !secrets.Contains(secret))
                    SecretMissing(secret, node.At(workload.File), secrets);
        }

        /// <summary>
        /// Each app's sidecar tokens come from Secrets of its own, as daprd has a token per app: a Secret named by the
        /// token annotations of two apps gives them one token, so one app's leaked token opens the other's sidecar (or
        /// lets it call the other app as its sidecar). Reported at each later use, pointing back at the first.
        /// </summary>
        private void CheckTokenSecretsPerApp()
        {
            foreach (var uses in _tokenSecrets.GroupBy(t => t.Secret, StringComparer.Ordinal))
            {
                var first = uses.First();
                foreach (var use in uses.Where(u => u.App != first.App))
                    sink.Warning(DeployErrorCodes.TokenSecretShared, use.At,
                        $"{use.Annotation} of '{use.App}' is Secret '{use.Secret}', which {first.Annotation} of '{first.App}' uses too: the two apps share one token in {overlay}, so either's leaked token opens the other's sidecar or app",
                        $"give each app its own Secret (e.g. '{TokenSecretName(use.Annotation, use.App)}', one more secretGenerator); deploy/secrets.sh writes one pair per app",
                        first.At);
            }
        }

        private static string TokenSecretName(string annotation, string app) =>
            (annotation == "dapr.io/api-token-secret" ? "dapr-api-token-" : "app-api-token-") + app;

        private void CheckComponent(Manifest component)
        {
            if (apps is not null)
                foreach (var (app, at) in component.Scopes ?? [])
                    if (!AppIds.Contains(app))
                        sink.Error(DeployErrorCodes.ScopeNamesNoApp, at, $"component '{component.Name}' is scoped to '{app}', which is not an app of dapr.yaml",
                            $"{DidYouMean.Hint(app, AppIds)}scopes name app ids: {string.Join(", ", AppIds)}");
            if (component.Type == "pubsub.in-memory" && component.TypeNode is { } typeNode)
                sink.Error(DeployErrorCodes.InMemoryPubSubUnderDaprd, typeNode.At(component.File),
                    $"pub/sub '{component.Name}' is pubsub.in-memory: under daprd it lives inside one sidecar, so events reach only the pod that published them",
                    "use a broker on Kubernetes: an overlay's components.rabbitmq/, components.redis/ or components.kafka/ (docs/deploy.md)");
            var store = (component.Root.Child("auth") as YamlMappingNode)?.Scalar("secretStore");
            if (store is not null && store != "kubernetes") return; // the secret lives in that store, not in a Kubernetes Secret
            var secrets = DefinedSecrets;
            foreach (var item in component.Metadata)
                if (item is { SecretName: { Length: > 0 } secret, SecretAt: { } at } && !secrets.Contains(secret)) SecretMissing(secret, at, secrets);
        }

        private void SecretMissing(string secret, SourceLocation at, HashSet<string> secrets) =>
            sink.Error(DeployErrorCodes.SecretNotDefined, at, $"Secret '{secret}' is not defined in {overlay} (no secretGenerator or Secret of that name): the pods would not start",
                $"{DidYouMean.Hint(secret, secrets)}add a secretGenerator (with disableNameSuffixHash) or a Secret named '{secret}'; defined: {(secrets.Count > 0 ? string.Join(", ", secrets.Order(StringComparer.Ordinal)) : "none")}");

        /// <summary>Every event type's pub/sub must be rendered and in scope for each Dapr app that sends or receives it there.</summary>
        private void CheckComponentsInScope()
        {
            if (folderComponents is null) return;
            var components = objects.Where(o => o.IsDaprComponent).ToList();
            foreach (var group in configurations.SelectMany(c => c.Events).GroupBy(e => e.PubSub))
            {
                if (!folderComponents.Any(c => c.Name == group.Key && c.BuildingBlock == "pubsub")) continue; // VX5020/VX5021 say it already
                var users = group.SelectMany(Users).Where(u => _workloads.TryGetValue(u.App, out var w) && w.Dapr).DistinctBy(u => u.App).ToList();
                if (users.Count == 0) continue;
                var component = components.FirstOrDefault(c => c.Name == group.Key && c.Type?.StartsWith("pubsub.", StringComparison.Ordinal) == true);
                if (component is null)
                {
                    sink.Error(DeployErrorCodes.ComponentMissingForApp, tree.ResourcesAt ?? SourceLocation.Start(entry),
                        $"{overlay} renders no pub/sub component '{group.Key}', which {string.Join(", ", users.Select(u => $"{u.App} ({u.Role})"))} use(s)",
                        $"add the component to this overlay's resources (e.g. ../../../components.<broker>), named '{group.Key}' as in the resources folder");
                    continue;
                }
                if (component.Scopes is not { Count: > 0 } scopes) continue;
                var away = users.Where(u => scopes.All(s => s.App != u.App)).ToList();
                if (away.Count > 0)
                    sink.Error(DeployErrorCodes.ComponentMissingForApp, component.ScopesAt!,
                        $"pub/sub '{group.Key}' is scoped away from {string.Join(", ", away.Select(u => $"{u.App} ({u.Role})"))}: that sidecar does not load it",
                        $"add {string.Join(", ", away.Select(u => u.App))} to the scopes");
            }
        }

        /// <summary>Replicas of an app must share one consumer group, and different apps must not.</summary>
        private void CheckConsumerGroups()
        {
            foreach (var component in objects.Where(o => o.IsDaprComponent && o.Type?.StartsWith("pubsub.", StringComparison.Ordinal) == true))
            {
                var consumers = configurations.SelectMany(c => c.Events).Where(e => e.PubSub == component.Name)
                    .SelectMany(e => e.Consumers.Select(c => c.App)).Distinct().ToList();
                foreach (var item in component.Metadata.OfType<MetadataItem>().Where(m => ConsumerGroupKeys.Contains(m.Name) && m.Value is not null && m.ValueAt is not null))
                {
                    var value = item.Value!;
                    if (PerPodPlaceholders.Any(p => value.Contains(p, StringComparison.OrdinalIgnoreCase)))
                    {
                        var scaled = consumers.Where(a => _workloads.TryGetValue(a, out var w) && w.Dapr && w.Workload.Replicas > 1)
                            .Select(a => $"{a} ({_workloads[a].Workload.Replicas} replicas)").ToList();
                        if (scaled.Count > 0)
                            sink.Error(DeployErrorCodes.ReplicasConsumerGroup, item.ValueAt!,
                                $"{item.Name} '{value}' gives every pod a consumer group of its own, so each replica of {string.Join(", ", scaled)} receives every message of pub/sub '{component.Name}' in {overlay}: the work is done once per replica",
                                $"write \"{{appID}}\" (or leave {item.Name} out: Dapr defaults to the app id) so an app's replicas compete for messages");
                    }
                    else if (!value.Contains("{appID}", StringComparison.OrdinalIgnoreCase) && consumers.Count > 1)
                    {
                        sink.Error(DeployErrorCodes.ReplicasConsumerGroup, item.ValueAt!,
                            $"{item.Name} '{value}' is one consumer group for {string.Join(", ", consumers)} on pub/sub '{component.Name}': each message reaches only one of those apps (and one of their replicas)",
                            $"write \"{{appID}}\" so each app reads in its own group and its replicas compete within it");
                    }
                }
            }
        }

        /// <summary>Every app that publishes, consumes or owns a dead-letter topic, with what it does.</summary>
        private Dictionary<string, string> EventApps()
        {
            var roles = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (app, role) in configurations.SelectMany(c => c.Events).SelectMany(Users)) roles.TryAdd(app, role);
            return roles;
        }

        private static IEnumerable<(string App, string Role)> Users(EventDefinition definition) =>
            definition.Producers.Select(p => (p, $"publishes '{definition.Type}'"))
                .Concat(definition.Consumers.Select(c => (c.App, $"consumes '{definition.Type}'")))
                .Concat(definition.DeadLetter is { } dead ? [(dead.Owner, $"reads the dead letters of '{definition.Type}'")] : []);

        private static IEnumerable<YamlNode> Descendants(YamlNode node)
        {
            yield return node;
            var children = node switch
            {
                YamlMappingNode map => map.Children.Values,
                YamlSequenceNode list => list.Children,
                _ => [],
            };
            foreach (var child in children)
                foreach (var descendant in Descendants(child)) yield return descendant;
        }
    }
}
