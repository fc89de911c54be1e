using System.Text.Json;
using System.Text.Json.Serialization;

namespace Veltrix.Dapr.Client;

/// <summary>One item of the bulk publish request array (contract §1.4).</summary>
internal sealed record BulkPublishRequestEntry(
    [property: JsonPropertyName("entryId")] string EntryId,
    [property: JsonPropertyName("event")] JsonElement Event,
    [property: JsonPropertyName("contentType")] string ContentType,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata);

/// <summary>The 500 body of a partially failed bulk publish.</summary>
internal sealed record BulkPublishFailureBody(
    [property: JsonPropertyName("failedEntries")] IReadOnlyList<BulkPublishFailedEntryWire>? FailedEntries,
    [property: JsonPropertyName("errorCode")] string? ErrorCode);

internal sealed record BulkPublishFailedEntryWire(
    [property: JsonPropertyName("entryId")] string? EntryId,
    [property: JsonPropertyName("error")] string? Error);
