namespace Veltrix.Dapr.Client;

/// <summary>The outcome of a bulk publish: empty <see cref="FailedEntries"/> means every entry reached the broker.</summary>
public sealed record BulkPublishResponse<TValue>(IReadOnlyList<BulkPublishResponseFailedEntry<TValue>> FailedEntries)
{
    public bool AllSucceeded => FailedEntries.Count == 0;
}

/// <summary>An entry the broker refused, with the sidecar's error text; republish it or handle the loss.</summary>
public sealed record BulkPublishResponseFailedEntry<TValue>(BulkPublishEntry<TValue> Entry, string ErrorMessage);
