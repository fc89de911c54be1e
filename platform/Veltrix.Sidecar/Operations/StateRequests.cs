namespace Veltrix.Sidecar.Operations;

/// <summary>
/// One value to save, as both APIs carry it. Concurrency is `first-write`/`last-write` (or null), consistency
/// `eventual`/`strong` (or null); anything else is refused. The value's bytes are stored as given.
/// </summary>
public sealed record StateWrite(string? Key, byte[] Value, string? ETag, IReadOnlyDictionary<string, string>? Metadata, string? Concurrency, string? Consistency);

/// <summary>One key to delete, with its optional ETag condition.</summary>
public sealed record StateDelete(string? Key, string? ETag, string? Concurrency);

/// <summary>One step of a transaction: `upsert` (the whole item) or `delete` (its key, ETag and concurrency).</summary>
public sealed record TransactionStep(string? OperationType, StateWrite Item);

/// <summary>One key of a bulk get: the stored value (null: missing) or the store's error for it.</summary>
public sealed record BulkStateResult(string Key, Components.State.StoredState? Item, string? Error);
