using System.Text.Json;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Subscriptions;

namespace Veltrix.Resources;

/// <summary>
/// Checks across the documents of a resources folder that need no app list: two declarative subscriptions daprd would
/// merge into one, two actor state stores for one app (daprd refuses to start), and `secretKeyRef`s that daprd could
/// not resolve (it then loads the component with an empty value, or not at all — Dapr users' pain point C4).
/// </summary>
public static class SharedResourceChecks
{
    public static void Run(IReadOnlyList<ComponentResource> components, IReadOnlyList<SubscriptionResource> subscriptions, DiagnosticSink sink)
    {
        CheckDuplicateSubscriptions(subscriptions, sink);
        CheckActorStateStores(components, sink);
        CheckSecretReferences(components, sink);
    }

    private static void CheckDuplicateSubscriptions(IReadOnlyList<SubscriptionResource> subscriptions, DiagnosticSink sink)
    {
        for (var i = 0; i < subscriptions.Count; i++)
        {
            var later = subscriptions[i];
            var first = subscriptions.Take(i).FirstOrDefault(s => s.PubSubName == later.PubSubName && s.Topic == later.Topic && ScopesOverlap(s.Scopes, later.Scopes));
            if (first is null) continue;
            var apps = later.Scopes.Count == 0 ? first.Scopes.Count == 0 ? "every app" : string.Join(", ", first.Scopes) : string.Join(", ", later.Scopes.Where(a => first.AppliesTo(a)));
            sink.Error(ErrorCodes.DuplicateDeclarativeSubscription, later.TopicLocation ?? later.Location,
                $"subscriptions '{first.Name}' and '{later.Name}' both subscribe {apps} to topic '{later.Topic}' of '{later.PubSubName}': daprd keeps one of them and silently drops the other",
                "merge them into one subscription (several routes go under 'routes.rules'), or scope them to different apps", first.TopicLocation ?? first.Location);
        }
    }

    private static void CheckActorStateStores(IReadOnlyList<ComponentResource> components, DiagnosticSink sink)
    {
        var stores = components.Where(c => c.BuildingBlock == "state" && string.Equals(c.Get("actorStateStore"), "true", StringComparison.OrdinalIgnoreCase)).ToList();
        for (var i = 0; i < stores.Count; i++)
        {
            if (stores.Take(i).FirstOrDefault(s => ScopesOverlap(s.Scopes, stores[i].Scopes)) is not { } first) continue;
            sink.Error(ErrorCodes.ActorStateStoreTwice, Entry(stores[i], "actorStateStore"),
                $"state stores '{first.Name}' and '{stores[i].Name}' are both the actor state store for the same apps: daprd refuses to start with two (workflows and actors keep their state in exactly one)",
                "set actorStateStore: \"true\" on one state store per app, or scope the two to different apps", Entry(first, "actorStateStore"));
        }
    }

    private static void CheckSecretReferences(IReadOnlyList<ComponentResource> components, DiagnosticSink sink)
    {
        var stores = components.Where(c => c.BuildingBlock == "secretstores").ToList();
        foreach (var component in components)
        {
            var references = component.Metadata.Where(m => m.Secret is not null).ToList();
            if (references.Count == 0) continue;
            if (component.SecretStore is not { } named)
            {
                foreach (var entry in references)
                    sink.Error(ErrorCodes.UnresolvedSecret, entry.Secret!.Location,
                        $"metadata '{entry.Name}' of component '{component.Name}' reads secret '{entry.Secret.Name}', but the component names no secret store: daprd run by 'dapr run' then loads it with an empty value (only Kubernetes assumes its built-in store)",
                        stores.Count > 0 ? $"add 'auth: {{secretStore: {stores[0].Name}}}' to the component" : "define a secretstores.* component (e.g. secretstores.local.file) and name it in 'auth: {secretStore: <name>}'");
                continue;
            }
            var store = stores.FirstOrDefault(s => s.Name == named.Name);
            if (store is null)
            {
                sink.Error(ErrorCodes.UnresolvedSecret, named.At, $"component '{component.Name}' resolves its secrets through '{named.Name}', which is not a secret store of the resources",
                    $"{DidYouMean.Hint(named.Name, stores.Select(s => s.Name))}secret stores: {(stores.Count > 0 ? string.Join(", ", stores.Select(s => s.Name)) : "none — define a secretstores.* component")}",
                    components.FirstOrDefault(c => c.Name == named.Name)?.NameLocation);
                continue;
            }
            var missing = store.Scopes.Count == 0 ? [] : component.Scopes.Count == 0 ? ["apps outside the store's scopes"] : component.Scopes.Where(a => !store.AppliesTo(a)).ToList();
            if (missing.Count > 0)
                sink.Error(ErrorCodes.UnresolvedSecret, named.At, $"secret store '{store.Name}' is scoped away from {string.Join(", ", missing)}, which load component '{component.Name}': their sidecars cannot resolve its secrets",
                    $"add the apps to the secret store's 'scopes:', or remove its 'scopes:'", store.ScopesLocation);
            if (store.Type == "secretstores.local.file") CheckLocalFile(component, references, store, sink);
        }
    }

    /// <summary>A local file store can be read here: each secret a component names must be in it.</summary>
    private static void CheckLocalFile(ComponentResource component, List<MetadataEntry> references, ComponentResource store, DiagnosticSink sink)
    {
        var fileEntry = store.Metadata.FirstOrDefault(m => m.Name == "secretsFile");
        if (fileEntry is null || fileEntry.Value.Length == 0) return;
        var folder = Path.GetDirectoryName(Path.GetFullPath(store.File)) ?? ".";
        string[] candidates = Path.IsPathRooted(fileEntry.Value)
            ? [fileEntry.Value]
            : [Path.GetFullPath(fileEntry.Value, folder), Path.GetFullPath(fileEntry.Value, Path.GetDirectoryName(folder) ?? folder)];
        if (candidates.FirstOrDefault(File.Exists) is not { } path)
        {
            sink.Error(ErrorCodes.UnresolvedSecret, references[0].Secret!.Location,
                $"component '{component.Name}' reads secret '{references[0].Secret!.Name}' from store '{store.Name}', whose secretsFile '{fileEntry.Value}' does not exist (looked beside the store's file and one folder up)",
                "create the JSON file, or correct 'secretsFile' (daprd resolves a relative path from its working directory)", fileEntry.Location);
            return;
        }
        var separator = store.Get("nestedSeparator") is { Length: > 0 } s ? s : ":";
        HashSet<string> names;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            names = [];
            // multiValued: each top-level key is a secret with several keys; otherwise nested keys are flattened into names.
            if (string.Equals(store.Get("multiValued"), "true", StringComparison.OrdinalIgnoreCase) && json.RootElement.ValueKind == JsonValueKind.Object)
                foreach (var property in json.RootElement.EnumerateObject()) names.Add(property.Name);
            else Flatten(json.RootElement, "", separator, names);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            sink.Error(ErrorCodes.UnresolvedSecret, fileEntry.Location, $"secretsFile '{fileEntry.Value}' of store '{store.Name}' cannot be read as JSON: {e.Message}",
                "write the secrets as a JSON object, e.g. {\"redisPassword\": \"…\"}");
            return;
        }
        foreach (var entry in references.Where(r => !names.Contains(r.Secret!.Name)))
            sink.Error(ErrorCodes.UnresolvedSecret, entry.Secret!.Location,
                $"secret '{entry.Secret.Name}' (metadata '{entry.Name}' of component '{component.Name}') is not in '{fileEntry.Value}' of store '{store.Name}'",
                $"{DidYouMean.Hint(entry.Secret.Name, names)}add it to the file, or correct the name; nested keys are joined with '{separator}'", fileEntry.Location);
    }

    private static void Flatten(JsonElement element, string prefix, string separator, HashSet<string> names)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            if (prefix.Length > 0) names.Add(prefix);
            return;
        }
        foreach (var property in element.EnumerateObject())
            Flatten(property.Value, prefix.Length == 0 ? property.Name : prefix + separator + property.Name, separator, names);
    }

    private static SourceLocation Entry(ComponentResource component, string key) =>
        component.Metadata.FirstOrDefault(m => string.Equals(m.Name, key, StringComparison.OrdinalIgnoreCase))?.Location ?? component.NameLocation ?? component.Location;

    /// <summary>Two scope lists share an app (an empty list means every app).</summary>
    internal static bool ScopesOverlap(IReadOnlyList<string> a, IReadOnlyList<string> b) => a.Count == 0 || b.Count == 0 || a.Intersect(b).Any();
}
