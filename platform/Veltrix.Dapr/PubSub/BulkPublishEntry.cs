namespace Veltrix.Dapr.Client;

/// <summary>
/// One event of a bulk publish. <paramref name="EntryId"/> must be unique within the request. The event is
/// serialised as JSON, which fits the content type rules of the sidecar: JSON content types take any value,
/// <c>text/*</c> needs a string, <c>application/octet-stream</c> needs a <c>byte[]</c> (serialised as base64).
/// </summary>
public sealed record BulkPublishEntry<TValue>(
    string EntryId,
    TValue EventData,
    string ContentType = "application/json",
    IReadOnlyDictionary<string, string>? Metadata = null);
