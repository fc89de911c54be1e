using System.Text.Json.Serialization;

namespace Veltrix.Events.Publishing;

/// <summary>
/// The CloudEvent a producer publishes: its own id (stable across retries, so consumers deduplicate), and the
/// extensions `veltrixconfig` / `veltrixversion` naming the configuration version that routed it.
/// </summary>
public sealed record RoutedEvent<TData>(
    [property: JsonPropertyName("specversion")] string SpecVersion,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("datacontenttype")] string DataContentType,
    [property: JsonPropertyName(RoutedEventExtensions.Configuration)] string Configuration,
    [property: JsonPropertyName(RoutedEventExtensions.Version)] int Version,
    [property: JsonPropertyName("data")] TData Data);

/// <summary>The CloudEvent extension attributes Veltrix adds (lower-case alphanumerics, as CloudEvents requires).</summary>
public static class RoutedEventExtensions
{
    public const string Configuration = "veltrixconfig";
    public const string Version = "veltrixversion";
}

/// <summary>One event to publish: its CloudEvent id and data; <paramref name="EntryId"/> when ids may repeat within one batch.</summary>
public readonly record struct OutgoingEvent<TData>(string Id, TData Data, string? EntryId = null);
