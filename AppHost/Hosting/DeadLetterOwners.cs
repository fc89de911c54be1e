using YamlDotNet.RepresentationModel;

namespace Veltrix.AppHost.Hosting;

/// <summary>
/// The apps that own dead letters under the system's built-in event configuration (`events/*.yaml`, what every app
/// seeds an empty store with): each event type's `deadLetter.owner`. Read once at start, as the apps map their
/// dead-letter API once at start; a missing or unreadable file means no dead-letter commands, never a failed run —
/// `veltrix check` is where a broken configuration is reported.
/// </summary>
internal static class DeadLetterOwners
{
    public static IReadOnlySet<string> Read(string repositoryRoot)
    {
        var folder = Path.Combine(repositoryRoot, "events");
        var owners = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists(folder)) return owners;
        foreach (var file in Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var yaml = new YamlStream();
            try
            {
                using var reader = new StreamReader(file);
                yaml.Load(reader);
            }
            catch (YamlDotNet.Core.YamlException)
            {
                continue;
            }
            foreach (var document in yaml.Documents)
                foreach (var owner in OwnersOf(document.RootNode))
                    owners.Add(owner);
        }
        return owners;
    }

    private static IEnumerable<string> OwnersOf(YamlNode root) =>
        Child(Child(root, "spec"), "events") is YamlSequenceNode events
            ? events.Children.Select(e => Child(Child(e, "deadLetter"), "owner")).OfType<YamlScalarNode>()
                .Select(o => o.Value).Where(o => !string.IsNullOrWhiteSpace(o)).Select(o => o!)
            : [];

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
}
