namespace Veltrix.Sidecar.Operations;

/// <summary>
/// One publish as both APIs carry it: HTTP's path, body, Content-Type and `metadata.*` query, or gRPC's
/// PublishEventRequest. Trace context comes from the `traceparent`/`tracestate` header or gRPC metadata.
/// </summary>
public sealed record PublishRequest(
    string PubSub, string? Topic, byte[] Data, string? ContentType, IReadOnlyDictionary<string, string> Metadata, string? TraceParent, string? TraceState);

/// <summary>One entry of a bulk publish. Event is null when the front-end could not read it as its content type.</summary>
public sealed record BulkPublishItem(string? EntryId, ReadOnlyMemory<byte>? Event, string? ContentType, IReadOnlyDictionary<string, string>? Metadata);

/// <summary>A bulk publish: the request-level metadata applies to every entry unless the entry's own metadata overrides a key.</summary>
public sealed record BulkPublishRequest(
    string PubSub, string? Topic, IReadOnlyList<BulkPublishItem> Entries, IReadOnlyDictionary<string, string> Metadata, string? TraceParent, string? TraceState);

/// <summary>An entry the broker did not take (partial failure), by entry ID.</summary>
public sealed record FailedEntry(string EntryId, string Error, bool BoundReached);
