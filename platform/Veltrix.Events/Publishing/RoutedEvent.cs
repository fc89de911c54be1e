using System.Diagnostics;
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
    [property: JsonPropertyName("data")] TData Data)
{
    /// <summary>
    /// The distributed-tracing extension, set when the event continues a trace other than the publishing call's (see
    /// <c>OutgoingEvent.Trace</c>). The sidecar, like daprd, keeps a CloudEvent's own <c>traceid</c> and <c>traceparent</c>
    /// and stamps the call's only when <c>traceid</c> is missing, so both are written, with the same value.
    /// </summary>
    [JsonPropertyName("traceparent"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceParent { get; init; }

    [JsonPropertyName("traceid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceId { get; init; }

    [JsonPropertyName("tracestate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceState { get; init; }
}

/// <summary>The CloudEvent extension attributes Veltrix adds (lower-case alphanumerics, as CloudEvents requires).</summary>
public static class RoutedEventExtensions
{
    public const string Configuration = "veltrixconfig";
    public const string Version = "veltrixversion";
}

/// <summary>
/// One event to publish: its CloudEvent id and data; <paramref name="EntryId"/> when ids may repeat within one batch;
/// <paramref name="Trace"/>, the span that caused it (an <c>IncomingEvent.Trace</c>) when that is not the current
/// Activity — a handler publishing for a batch — so the event continues its cause's trace. Default: the publishing call's.
/// </summary>
public readonly record struct OutgoingEvent<TData>(string Id, TData Data, string? EntryId = null, ActivityContext Trace = default);
