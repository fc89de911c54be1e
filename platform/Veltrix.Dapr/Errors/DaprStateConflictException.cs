using System.Net;
using System.Text.Json;

namespace Veltrix.Dapr.Client;

/// <summary>
/// A state save or delete lost an optimistic-concurrency race: the ETag did not match (or first-write found an
/// existing key). daprd signals this only by HTTP 409, so it gets its own type for compare-and-swap loops to catch.
/// </summary>
public sealed class DaprStateConflictException : DaprApiException
{
    public DaprStateConflictException(string message, string storeName, string key, string? errorCode, string? sidecarMessage,
        JsonElement? details = null, string? responseBody = null)
        : base(message, HttpStatusCode.Conflict, errorCode, sidecarMessage, details, responseBody)
    {
        StoreName = storeName;
        Key = key;
    }

    public string StoreName { get; }
    public string Key { get; }
}
