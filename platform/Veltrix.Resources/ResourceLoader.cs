using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Resiliency;
using Veltrix.Resources.Subscriptions;
using Veltrix.Resources.Yaml;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Resources;

/// <summary>
/// Loads a Dapr resources folder (or several) and checks it: each document on its own, then across documents
/// (duplicate names, subscriptions on missing pub/subs, resiliency targets that name nothing). Finds every
/// problem in one pass, so a user fixes them all at once.
/// </summary>
public static class ResourceLoader
{
    // Kinds daprd reads from a resources folder that the dev sidecar accepts and leaves alone.
    private static readonly string[] IgnoredKinds = ["Configuration", "HTTPEndpoint"];

    public static ResourceSet Load(IEnumerable<string> paths, ComponentSupport support)
    {
        var diagnostics = new List<Diagnostic>();
        var raws = new List<RawResource>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in ResourceFileReader.FindFiles(path)) raws.AddRange(ResourceFileReader.ReadFile(file, diagnostics));
            }
            else if (File.Exists(path))
            {
                raws.AddRange(ResourceFileReader.ReadFile(path, diagnostics));
            }
            else
            {
                diagnostics.Add(new Diagnostic(ErrorCodes.ResourcesPathMissing, DiagnosticSeverity.Error, SourceLocation.Start(path),
                    $"resources path '{path}' does not exist", "pass an existing folder with --resources-path (relative paths start from the working directory)"));
            }
        }
        return Check(raws, support, diagnostics);
    }

    public static ResourceSet Check(IReadOnlyList<RawResource> raws, ComponentSupport support, List<Diagnostic> diagnostics)
    {
        var sink = new DiagnosticSink(diagnostics);
        var components = new List<ComponentResource>();
        var subscriptions = new List<SubscriptionResource>();
        var resiliencies = new List<ResiliencyResource>();

        foreach (var raw in raws)
        {
            switch (raw.Kind)
            {
                case "Component":
                    if (ComponentReader.Read(raw, support, sink) is { } component) components.Add(component);
                    break;
                case "Subscription":
                    if (SubscriptionReader.Read(raw, sink) is { } subscription) subscriptions.Add(subscription);
                    break;
                case "Resiliency":
                    if (ResiliencyReader.Read(raw, sink) is { } resiliency) resiliencies.Add(resiliency);
                    break;
                case null or "":
                    sink.Error(ErrorCodes.MissingField, raw.Root.ProblemAt(raw.File, "kind"), "the document has no 'kind' (a text value)",
                        "add 'kind: Component' (or Subscription, Resiliency) and 'apiVersion: dapr.io/v1alpha1'");
                    break;
                case var kind when IgnoredKinds.Contains(kind):
                    break;
                case var kind:
                    sink.Warning(ErrorCodes.UnknownResourceKind, raw.Root.Child("kind")?.At(raw.File) ?? raw.Location, $"kind '{kind}' is not a Dapr resource the dev sidecar reads; it is ignored",
                        $"{DidYouMean.Hint(kind, ["Component", "Subscription", "Resiliency", .. IgnoredKinds])}remove the file from the resources folder if it is not meant for Dapr");
                    break;
            }
        }

        CheckDuplicates(components, sink);
        CheckSubscriptionTargets(components, subscriptions, sink);
        // A component refused for another reason (an unsupported type, a bad key) is still one a target may name.
        var declared = raws.Where(r => r.Kind == "Component").Select(r => (r.Root.Child("metadata") as YamlMappingNode)?.Scalar("name")).OfType<string>();
        CheckResiliencyTargets(declared.ToList(), resiliencies, sink);
        SharedResourceChecks.Run(components, subscriptions, sink);
        return new ResourceSet(components, subscriptions, resiliencies, diagnostics);
    }

    private static void CheckDuplicates(List<ComponentResource> components, DiagnosticSink sink)
    {
        for (var i = 0; i < components.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var (first, second) = (components[j], components[i]);
                if (first.Name != second.Name || !SharedResourceChecks.ScopesOverlap(first.Scopes, second.Scopes)) continue;
                sink.Error(ErrorCodes.DuplicateComponentName, second.NameLocation ?? second.Location, $"component name '{second.Name}' is already used by another component loaded for the same apps",
                    "give each component a unique metadata.name, or scope them to different apps with 'scopes:'", first.NameLocation ?? first.Location);
                break;
            }
        }
    }

    private static void CheckSubscriptionTargets(List<ComponentResource> components, List<SubscriptionResource> subscriptions, DiagnosticSink sink)
    {
        var pubsubs = components.Where(c => c.BuildingBlock == "pubsub").ToList();
        foreach (var subscription in subscriptions)
        {
            if (pubsubs.Any(p => p.Name == subscription.PubSubName)) continue;
            var names = pubsubs.Select(p => p.Name).Distinct().ToList();
            sink.Error(ErrorCodes.UnknownPubSub, subscription.PubSubLocation ?? subscription.Location,
                $"subscription '{subscription.Name}' uses pub/sub '{subscription.PubSubName}', which no component defines",
                $"{DidYouMean.Hint(subscription.PubSubName, names)}pub/sub components: {(names.Count > 0 ? string.Join(", ", names) : "none")}");
        }
    }

    private static void CheckResiliencyTargets(List<string> componentNames, List<ResiliencyResource> resiliencies, DiagnosticSink sink)
    {
        var names = componentNames.Distinct().ToList();
        foreach (var target in resiliencies.SelectMany(r => r.ComponentTargets))
        {
            if (names.Contains(target.Component)) continue;
            sink.Warning(ErrorCodes.ResiliencyTargetNamesNothing, target.Location,
                $"resiliency target '{target.Component}' names no component, so its policies apply to nothing",
                $"{DidYouMean.Hint(target.Component, names)}components: {(names.Count > 0 ? string.Join(", ", names) : "none")}");
        }
    }
}
