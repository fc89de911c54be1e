namespace Veltrix.Dapr.Client;

/// <summary>
/// One key of a bulk get, value left as JSON text (empty when the key is missing). <see cref="Error"/> is set when
/// the store failed for this key only.
/// </summary>
public sealed record BulkStateItem(string Key, string Value, string? ETag, string? Error = null);

/// <summary>One key of a typed bulk get; <see cref="Value"/> is default when the key is missing or failed.</summary>
public sealed record BulkStateItem<TValue>(string Key, TValue? Value, string? ETag, string? Error = null);
