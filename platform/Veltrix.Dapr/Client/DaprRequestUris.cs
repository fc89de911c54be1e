using System.Text;

namespace Veltrix.Dapr.Client;

/// <summary>Builds Dapr API paths: every caller-supplied segment escaped, metadata as <c>metadata.&lt;key&gt;</c> query parameters.</summary>
internal static class DaprRequestUris
{
    public static string Publish(string pubsubName, string topic, IReadOnlyDictionary<string, string>? metadata) =>
        WithQuery($"v1.0/publish/{Segment(pubsubName)}/{TopicPath(topic)}", metadata);

    public static string BulkPublish(string pubsubName, string topic, IReadOnlyDictionary<string, string>? metadata) =>
        WithQuery($"v1.0-alpha1/publish/bulk/{Segment(pubsubName)}/{TopicPath(topic)}", metadata);

    public static string State(string storeName) => $"v1.0/state/{Segment(storeName)}";

    public static string StateKey(string storeName, string key, IReadOnlyDictionary<string, string>? metadata, params (string Name, string? Value)[] query) =>
        WithQuery($"v1.0/state/{Segment(storeName)}/{Segment(key)}", metadata, query);

    public static string StateBulk(string storeName) => $"v1.0/state/{Segment(storeName)}/bulk";

    public static string StateTransaction(string storeName) => $"v1.0/state/{Segment(storeName)}/transaction";

    public static string StateSave(string storeName, IReadOnlyDictionary<string, string>? metadata) => WithQuery(State(storeName), metadata);

    public static string MetadataKey(string key) => $"v1.0/metadata/{Segment(key)}";

    /// <summary>A single path segment: '/' is escaped too, so a state key can never address another route.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    /// <summary>daprd takes the rest of the path as the topic, so topics may contain '/': escape per segment, keep the slashes.</summary>
    public static string TopicPath(string topic) => string.Join('/', topic.Split('/').Select(Uri.EscapeDataString));

    public static string WithQuery(string path, IReadOnlyDictionary<string, string>? metadata, params (string Name, string? Value)[] query)
    {
        var builder = new StringBuilder(path);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (value is null) continue;
            builder.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                builder.Append(separator).Append("metadata.").Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value ?? ""));
                separator = '&';
            }
        }
        return builder.ToString();
    }
}
