using System.Collections.Concurrent;
using System.Diagnostics;
using Veltrix.Events.Model;
using Veltrix.Events.Reading;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.RunTemplates;
using Veltrix.Testing;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Cli.Tests;

/// <summary>
/// deploy/ checked before it is applied: every overlay rendered with `kubectl kustomize` (as docs/deploy.md applies
/// it), and the rendered objects held against dapr.yaml, the event configuration and the resources folders they come
/// from. kubectl missing is a failure, never a skip (scripts/test.sh installs it).
/// </summary>
public sealed class DeployManifestTests
{
    private static readonly string[] OverlayNames = ["kafka", "rabbitmq", "redis"];
    private static readonly ConcurrentDictionary<string, Lazy<Rendered>> Cache = new();

    // The apps that keep state or park dead letters: Hunt/Scoring/Leaderboard/Prizes name "statestore" in their code.
    private static readonly string[] StateApps = ["hunt", "leaderboard", "prizes", "scoring"];
    // Keys whose values are credentials: on a cluster only ever a secretKeyRef.
    private static readonly string[] CredentialWords = ["password", "connectionstring", "token", "secret", "accesskey", "apikey"];
    // Addresses an overlay replaces by an in-cluster one (everything else must stay as the resources folder says).
    private static readonly string[] AddressKeys = ["redisHost", "brokers", "endpoints"];

    public static TheoryData<string> Overlays() => new(OverlayNames);

    [Fact]
    public void Every_overlay_folder_is_tested()
    {
        var folders = Directory.GetDirectories(Path.Combine(RepositoryLayout.Root, "deploy", "overlays")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(OverlayNames, folders);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_app_of_dapr_yaml_is_a_Dapr_Deployment_with_probes_limits_and_a_locked_down_container(string overlay)
    {
        var rendered = Render(overlay);
        var configurations = rendered.Of("Configuration").Select(o => o.Name).ToList();
        foreach (var app in RunFile().Apps)
        {
            var port = app.AppPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var deployment = rendered.Single("Deployment", app.AppId);
            var pod = deployment.Node("spec", "template");
            string? Annotation(string name) => pod.Text("metadata", "annotations", $"dapr.io/{name}");
            Assert.Equal("true", Annotation("enabled"));
            Assert.Equal(app.AppId, Annotation("app-id"));
            Assert.Equal(port, Annotation("app-port"));
            Assert.Equal("http", Annotation("app-protocol"));
            Assert.Contains(Annotation("config"), configurations);
            Assert.Contains(Annotation("log-level"), new[] { "debug", "info", "warn", "error" });
            rendered.AssertSecretKey(Annotation("api-token-secret"), "token");
            rendered.AssertSecretKey(Annotation("app-token-secret"), "token");

            Assert.Equal("true", pod.Text("spec", "securityContext", "runAsNonRoot"));
            var container = Assert.Single(pod.Node("spec", "containers").Items());
            Assert.Equal($"veltrix/{app.AppId}", container.Text("image")!.Split(':')[0]);
            var http = Assert.Single(container.Node("ports").Items());
            Assert.Equal(port, http.Text("containerPort"));
            Assert.Equal(port, container.Env("ASPNETCORE_HTTP_PORTS"));
            Assert.Equal(app.AppId, container.Env("APP_ID"));
            Assert.Equal("/readyz", container.Text("readinessProbe", "httpGet", "path"));
            Assert.Equal("/healthz", container.Text("livenessProbe", "httpGet", "path"));
            Assert.Equal(http.Text("name"), container.Text("readinessProbe", "httpGet", "port"));
            Assert.Equal(http.Text("name"), container.Text("livenessProbe", "httpGet", "port"));
            foreach (var kind in new[] { "requests", "limits" })
                foreach (var resource in new[] { "cpu", "memory" })
                    Assert.False(string.IsNullOrEmpty(container.Text("resources", kind, resource)), $"{app.AppId}: resources.{kind}.{resource}");
            Assert.Equal("true", container.Text("securityContext", "readOnlyRootFilesystem"));
            Assert.Equal("false", container.Text("securityContext", "allowPrivilegeEscalation"));
            foreach (var reference in container.Node("env").Items().Select(e => e.Find("valueFrom", "secretKeyRef")).OfType<YamlMappingNode>())
                rendered.AssertSecretKey(reference.Text("name"), reference.Text("key")!);
            foreach (var from in container.Node("envFrom").Items())
                rendered.Single("ConfigMap", from.Text("configMapRef", "name")!);

            var service = rendered.Single("Service", app.AppId);
            Assert.Equal(app.AppId, service.Text("spec", "selector", "app.kubernetes.io/name"));
            Assert.Equal(app.AppId, deployment.Text("spec", "template", "metadata", "labels", "app.kubernetes.io/name"));
            Assert.Equal(http.Text("name"), Assert.Single(service.Node("spec", "ports").Items()).Text("targetPort"));
        }
        Assert.Equal(RunFile().Apps.Select(a => a.AppId).Order(), rendered.Of("Deployment").Select(d => d.Name).Order());
        Assert.All(rendered.Objects.Where(o => o.Kind != "Namespace"), o => Assert.Equal("veltrix", o.Node.Text("metadata", "namespace")));
    }

    /// <summary>
    /// Each app's sidecar has tokens of its own, as daprd has them per app: no two token annotations (an app's API token
    /// and app token, or two apps') name one Secret, and deploy/secrets.sh gives every one of those Secrets its own
    /// value — a leaked token opens one app's sidecar or app, not the others'.
    /// </summary>
    [Theory]
    [MemberData(nameof(Overlays))]
    public void No_two_apps_share_a_sidecar_token_Secret_or_value(string overlay)
    {
        var rendered = Render(overlay);
        var uses = RunFile().Apps.SelectMany(app => new[] { "api-token-secret", "app-token-secret" }.Select(key =>
            (Use: $"{app.AppId} dapr.io/{key}", Secret: rendered.Single("Deployment", app.AppId).Text("spec", "template", "metadata", "annotations", $"dapr.io/{key}")))).ToList();
        Assert.Equal(RunFile().Apps.Count * 2, uses.Count);
        foreach (var shared in uses.GroupBy(u => u.Secret).Where(g => g.Count() > 1))
            Assert.Fail($"Secret '{shared.Key}' holds the token of {string.Join(" and ", shared.Select(u => u.Use))}");
        var values = uses.Select(u => (u.Use, Token: rendered.Single("Secret", u.Secret!).Text("data", "token"))).ToList();
        Assert.All(values, v => Assert.False(string.IsNullOrEmpty(v.Token), $"{v.Use}: no token"));
        foreach (var shared in values.GroupBy(v => v.Token).Where(g => g.Count() > 1))
            Assert.Fail($"{string.Join(" and ", shared.Select(v => v.Use))} name different Secrets with the same token");
    }

    /// <summary>The images the Deployments name are the ones `dotnet publish -t:PublishContainer` builds (services/Directory.Build.props).</summary>
    [Fact]
    public void Each_app_is_published_as_the_image_its_Deployment_names()
    {
        var props = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "services", "Directory.Build.props"));
        Assert.Contains("<ContainerRepository>veltrix/$(MSBuildProjectName.ToLowerInvariant())</ContainerRepository>", props, StringComparison.Ordinal);
        var rendered = Render("rabbitmq");
        foreach (var app in RunFile().Apps)
        {
            var project = Assert.Single(Directory.GetFiles(app.AppDirPath, "*.csproj"));
            Assert.Equal(app.AppId, Path.GetFileNameWithoutExtension(project).ToLowerInvariant());
            var image = rendered.Single("Deployment", app.AppId).Node("spec", "template", "spec", "containers").Items().Single().Text("image");
            Assert.Equal($"veltrix/{Path.GetFileNameWithoutExtension(project).ToLowerInvariant()}:latest", image);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_event_configuration_the_Dapr_Configuration_and_the_Ingress_are_rendered(string overlay)
    {
        var rendered = Render(overlay);
        var events = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "events", "treasure-hunt.yaml"));
        var configMap = Assert.Single(rendered.Of("ConfigMap"), c => c.Node.Find("data", "treasure-hunt.yaml") is not null);
        Assert.Equal(events, configMap.Node.Text("data", "treasure-hunt.yaml"));
        var settings = rendered.Single("ConfigMap", "veltrix-settings");
        var builtInPath = settings.Text("data", "Events__BuiltInPath");
        Assert.False(string.IsNullOrEmpty(settings.Text("data", "OTEL_EXPORTER_OTLP_ENDPOINT")));
        foreach (var deployment in rendered.Of("Deployment"))
        {
            var pod = deployment.Node.Node("spec", "template", "spec");
            var volume = Assert.Single(pod.Node("volumes").Items(), v => v.Text("configMap", "name") == configMap.Name);
            var mount = Assert.Single(pod.Node("containers").Items().Single().Node("volumeMounts").Items(), m => m.Text("name") == volume.Text("name"));
            Assert.Equal(builtInPath, mount.Text("mountPath"));
        }

        var configuration = Assert.Single(rendered.Of("Configuration"));
        Assert.False(string.IsNullOrEmpty(configuration.Node.Text("spec", "tracing", "otel", "endpointAddress")));
        Assert.Equal("1", configuration.Node.Text("spec", "tracing", "samplingRate"));
        Assert.Equal("true", configuration.Node.Text("spec", "metric", "enabled"));

        var ingress = Assert.Single(rendered.Of("Ingress"));
        var backend = Assert.Single(ingress.Node.Node("spec", "rules").Items().SelectMany(r => r.Node("http", "paths").Items())).Node("backend", "service");
        Assert.Equal("leaderboard", backend.Text("name"));
        var service = rendered.Single("Service", "leaderboard");
        Assert.Contains(service.Node("spec", "ports").Items(), p => p.Text("name") == backend.Text("port", "name"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_component_an_app_uses_is_rendered_from_its_resources_folder_in_scope_with_credentials_only_from_Secrets(string overlay)
    {
        var rendered = Render(overlay);
        var apps = RunFile().Apps.Select(a => a.AppId).ToList();
        var components = rendered.Of("Component").ToDictionary(c => c.Name);

        // What each app needs: every pub/sub of the event configuration (each app subscribes to the configuration
        // change topic on it), the configuration store, and the state store for the apps that keep state.
        var needs = new List<(string Component, string App)>();
        foreach (var definition in Configuration().Events)
        {
            Assert.StartsWith("pubsub.", components[definition.PubSub].Node.Text("spec", "type"));
            needs.AddRange(apps.Select(a => (definition.PubSub, a)));
        }
        needs.AddRange(apps.Select(a => ("eventconfig", a)));
        needs.AddRange(StateApps.Select(a => ("statestore", a)));
        foreach (var (name, app) in needs)
        {
            Assert.True(components.TryGetValue(name, out var component), $"{overlay}: no component '{name}' for {app}");
            var scopes = component.Node.Find("scopes") is YamlSequenceNode list ? list.Children.Select(s => s.ToString()).ToList() : [];
            Assert.True(scopes.Count == 0 || scopes.Contains(app), $"{overlay}: component '{name}' is scoped away from {app}");
            Assert.All(scopes, s => Assert.Contains(s, apps));
        }
        Assert.Equal("true", components["statestore"].Node.Node("spec", "metadata").Items().Single(m => m.Text("name") == "actorStateStore").Text("value"));

        var folder = Path.Combine(RepositoryLayout.Root, $"components.{overlay}");
        foreach (var component in components.Values)
        {
            var type = component.Node.Text("spec", "type")!;
            Assert.DoesNotContain("in-memory", type, StringComparison.Ordinal); // under daprd it reaches one pod only
            Assert.DoesNotContain("sqlite", type, StringComparison.Ordinal);
            foreach (var item in component.Node.Node("spec", "metadata").Items())
            {
                var key = item.Text("name")!;
                if (CredentialWords.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase)) && !string.IsNullOrEmpty(item.Text("value")))
                    Assert.Fail($"{overlay}: component '{component.Name}' has '{key}' as a plain value; use secretKeyRef");
                if (item.Find("secretKeyRef") is YamlMappingNode reference)
                {
                    Assert.Equal("kubernetes", component.Node.Text("auth", "secretStore"));
                    rendered.AssertSecretKey(reference.Text("name"), reference.Text("key")!);
                }
            }

            // One source: the same document as the resources folder's file, apart from what the overlay patches.
            var source = Documents(File.ReadAllText(Path.Combine(folder, $"{component.Name}.yaml"))).Single();
            Assert.Equal(source.Text("spec", "type"), type);
            Assert.Equal(source.Text("spec", "version"), component.Node.Text("spec", "version"));
            var renderedItems = component.Node.Node("spec", "metadata").Items().ToList();
            var sourceItems = source.Node("spec", "metadata").Items().ToList();
            for (var i = 0; i < sourceItems.Count; i++)
            {
                Assert.Equal(sourceItems[i].Text("name"), renderedItems[i].Text("name"));
                if (renderedItems[i].Find("value") is not null && !AddressKeys.Contains(sourceItems[i].Text("name")))
                    Assert.Equal(sourceItems[i].Text("value"), renderedItems[i].Text("value"));
            }
            Assert.All(renderedItems.Skip(sourceItems.Count), extra => Assert.Contains(extra.Text("name"), new[] { "consumerID", "consumerGroup" }));
        }
        var resiliency = Assert.Single(rendered.Of("Resiliency"));
        Assert.Equal(Documents(File.ReadAllText(Path.Combine(folder, "resiliency.yaml"))).Single().Text("metadata", "name"), resiliency.Name);
        Assert.NotNull(resiliency.Node.Find("spec", "targets", "components", "pubsub", "inbound"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Replicas_of_an_app_compete_in_one_consumer_group_instead_of_each_getting_every_message(string overlay)
    {
        var rendered = Render(overlay);
        int Replicas(string app) => int.Parse(rendered.Single("Deployment", app).Text("spec", "replicas") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var app in new[] { "gateway", "hunt", "scoring", "prizes" }) Assert.True(Replicas(app) > 1, $"{overlay}: {app} should scale");
        Assert.Equal(1, Replicas("leaderboard")); // its live page streams the board changes this replica consumed

        foreach (var pubsub in Configuration().Events.Select(e => e.PubSub).Distinct())
        {
            var items = rendered.Single("Component", pubsub).Node("spec", "metadata").Items().ToList();
            var group = items.SingleOrDefault(m => m.Text("name") is "consumerID" or "consumerGroup");
            Assert.True(group is not null, $"{overlay}: pub/sub '{pubsub}' should name its consumer group per app id");
            Assert.Equal("{appID}", group.Text("value"));
        }
    }

    /// <summary>
    /// One source: the cluster gets every resource file of the folder (none forgotten in its Kustomization), and the
    /// Kustomization file itself is invisible to what reads the folder locally (the dev sidecar and `veltrix check`).
    /// </summary>
    [Theory]
    [MemberData(nameof(Overlays))]
    public void Each_resources_folder_lists_all_its_files_for_kustomize_and_its_readers_ignore_that_list(string overlay)
    {
        var folder = Path.Combine(RepositoryLayout.Root, $"components.{overlay}");
        var kustomization = Documents(File.ReadAllText(Path.Combine(folder, "Kustomization"))).Single();
        var listed = ((YamlSequenceNode)kustomization.Node("resources")).Children.Select(c => c.ToString()).Order(StringComparer.Ordinal);
        var files = Veltrix.Resources.Yaml.ResourceFileReader.FindFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(files, listed);

        var loaded = Veltrix.Resources.ResourceLoader.Load([folder], Veltrix.Resources.Components.ComponentSupport.Daprd);
        Assert.Empty(loaded.Diagnostics);
        Assert.Equal(3, loaded.Components.Count);
        Assert.Single(loaded.Resiliencies);
        var events = Path.Combine(RepositoryLayout.Root, "events");
        Assert.Equal(["treasure-hunt.yaml"], Veltrix.Resources.Yaml.ResourceFileReader.FindFiles(events).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(events, "Kustomization")));
    }

    [Fact]
    public void A_patch_whose_entry_moved_in_the_resources_folder_makes_rendering_fail_instead_of_replacing_the_wrong_entry()
    {
        var copy = CopyTree();
        try
        {
            var pubsub = Path.Combine(copy, "components.rabbitmq", "pubsub.yaml");
            var text = File.ReadAllText(pubsub);
            // Someone puts another entry first: the overlay's `test` op must stop the render.
            File.WriteAllText(pubsub, text.Replace("  metadata:\n", "  metadata:\n    - name: hostname\n      value: \"127.0.0.1\"\n", StringComparison.Ordinal));
            Assert.NotEqual(text, File.ReadAllText(pubsub));
            Secrets(copy, "rabbitmq");
            var (code, _, error) = Run("kubectl", copy, "kustomize", Path.Combine(copy, "deploy", "overlays", "rabbitmq"));
            Assert.NotEqual(0, code);
            Assert.Contains("test", error, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static RunTemplate RunFile() => RunTemplateReader.Read(Path.Combine(RepositoryLayout.Root, "dapr.yaml"));

    private static EventConfiguration Configuration()
    {
        var file = Path.Combine(RepositoryLayout.Root, "events", "treasure-hunt.yaml");
        var diagnostics = new List<Diagnostic>();
        var configuration = Assert.Single(EventConfigurationReader.ReadText(file, File.ReadAllText(file), diagnostics));
        Assert.DoesNotContain(diagnostics, d => d.IsError);
        return configuration;
    }

    private static Rendered Render(string overlay) => Cache.GetOrAdd(overlay, o => new Lazy<Rendered>(() =>
    {
        var copy = CopyTree();
        try
        {
            Secrets(copy, o);
            var (code, output, error) = Run("kubectl", copy, "kustomize", Path.Combine(copy, "deploy", "overlays", o));
            Assert.True(code == 0, $"kubectl kustomize deploy/overlays/{o} failed ({code}):\n{error}");
            return new Rendered(Documents(output).Select(d => new K8sObject(d.Text("kind")!, d.Text("metadata", "name")!, d)).ToList());
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    })).Value;

    /// <summary>What kustomize reads, copied without anyone's secret files: deploy/, events/ and the resources folders.</summary>
    private static string CopyTree()
    {
        var copy = Path.Combine(Path.GetTempPath(), "veltrix-deploy", Guid.NewGuid().ToString("N"));
        foreach (var folder in new[] { "deploy", "events", "components.rabbitmq", "components.redis", "components.kafka" })
        {
            var from = Path.Combine(RepositoryLayout.Root, folder);
            foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(RepositoryLayout.Root, file);
                if (relative.EndsWith(".env", StringComparison.Ordinal)) continue;
                var destination = Path.Combine(copy, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }
        }
        return copy;
    }

    /// <summary>Creates the secret files as an operator does (docs/deploy.md): with deploy/secrets.sh.</summary>
    private static void Secrets(string copy, string overlay)
    {
        var (code, output, error) = Run("bash", copy, Path.Combine(copy, "deploy", "secrets.sh"), overlay);
        Assert.True(code == 0, $"deploy/secrets.sh {overlay} failed:\n{output}{error}");
    }

    private static (int Code, string Output, string Error) Run(string program, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"'{program}' could not be started ({e.Message}): deploy/ is checked by rendering it with kubectl (kustomize built in); " +
                "install kubectl (scripts/test.sh does: apt-get install kubectl) and run the tests again");
            throw;
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within 2 minutes");
            }
            return (process.ExitCode, output.Result, error.Result);
        }
    }

    private static List<YamlMappingNode> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private sealed record K8sObject(string Kind, string Name, YamlMappingNode Node);

    private sealed record Rendered(IReadOnlyList<K8sObject> Objects)
    {
        public IEnumerable<K8sObject> Of(string kind) => Objects.Where(o => o.Kind == kind);

        public YamlMappingNode Single(string kind, string name)
        {
            var matches = Of(kind).Where(o => o.Name == name).ToList();
            Assert.True(matches.Count == 1, $"expected one {kind} '{name}' in the rendered output, found {matches.Count}");
            return matches[0].Node;
        }

        public void AssertSecretKey(string? name, string key)
        {
            Assert.False(string.IsNullOrEmpty(name), "a secret reference without a name");
            var secret = Single("Secret", name!);
            Assert.True(secret.Find("data", key) is YamlScalarNode { Value.Length: > 0 }, $"Secret '{name}' has no key '{key}'");
        }
    }
}

internal static class YamlPaths
{
    public static YamlNode? Find(this YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next)) return null;
            current = next;
        }
        return current;
    }

    public static YamlNode Node(this YamlNode node, params string[] path) =>
        node.Find(path) ?? throw new Xunit.Sdk.XunitException($"no '{string.Join('.', path)}' at line {node.Start.Line}");

    public static string? Text(this YamlNode node, params string[] path) => (node.Find(path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlMappingNode> Items(this YamlNode node) => node is YamlSequenceNode list ? list.Children.OfType<YamlMappingNode>() : [];

    public static string? Env(this YamlNode container, string name) =>
        container.Node("env").Items().SingleOrDefault(e => e.Text("name") == name)?.Text("value");
}
