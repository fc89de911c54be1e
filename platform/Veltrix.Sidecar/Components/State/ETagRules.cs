namespace Veltrix.Sidecar.Components.State;

/// <summary>
/// daprd's in-memory store semantics, which every dev-sidecar store follows: an ETag must equal the stored one
/// (a missing key never matches), `first-write` without an ETag fails if the key exists, and no ETag with
/// `last-write` writes unconditionally.
/// </summary>
public static class ETagRules
{
    public static void Check(StateOperation operation, string? currentETag)
    {
        if (operation.ETag is { } expected)
        {
            if (currentETag is null)
            {
                if (operation is DeleteOperation) return; // deleting what is already gone succeeds, as in daprd's stores
                throw new ETagMismatchException(operation.Key, "the key does not exist");
            }
            if (!string.Equals(expected, currentETag, StringComparison.Ordinal))
                throw new ETagMismatchException(operation.Key, "the stored etag is different");
        }
        else if (operation.FirstWrite && currentETag is not null && operation is UpsertOperation)
        {
            throw new ETagMismatchException(operation.Key, "first-write without an etag, and the key already exists");
        }
    }

    public static string NewETag() => Guid.NewGuid().ToString();
}
