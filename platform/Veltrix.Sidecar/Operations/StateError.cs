namespace Veltrix.Sidecar.Operations;

/// <summary>Why a state call failed, independent of the API it came through; each front-end maps it to its own status.</summary>
public enum StateErrorKind
{
    NoStoreConfigured,
    StoreNotFound,
    KeyEmpty,
    /// <summary>A key containing `||`, which would escape the app's key prefix.</summary>
    IllegalKey,
    /// <summary>An option or metadata value the sidecar cannot read (concurrency, consistency, ttlInSeconds).</summary>
    InvalidRequest,
    UnsupportedOperation,
    /// <summary>An ETag or first-write condition failed on a save or delete (a transaction reports it as <see cref="StoreFailed"/>, as daprd).</summary>
    ETagMismatch,
    StoreFailed,
}

/// <summary>A failed state call: the kind and daprd's message (for a key error, the key as the caller gave it).</summary>
public sealed record StateError(StateErrorKind Kind, string Message, string Store, string? Key = null);
