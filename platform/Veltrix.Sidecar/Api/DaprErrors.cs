using System.Text.Json.Nodes;

namespace Veltrix.Sidecar.Api;

/// <summary>
/// Error answers in daprd's two encodings (contract §0.2): legacy `{errorCode,message}` and the rich form that adds
/// google.rpc-style `details` (used by pub/sub and store-not-found errors).
/// </summary>
public static class DaprErrors
{
    public static IResult Legacy(int status, string errorCode, string message) =>
        Results.Json(new DaprErrorBody(errorCode, message), SidecarJson.Default.DaprErrorBody, statusCode: status);

    public static IResult Rich(int status, string errorCode, string reason, string message, string? resourceType = null, string? resourceName = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var details = new JsonArray();
        if (resourceType is not null)
        {
            details.Add(new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.rpc.ResourceInfo",
                ["resource_type"] = resourceType,
                ["resource_name"] = resourceName ?? "",
                ["owner"] = "",
                ["description"] = message,
            });
        }
        var errorMetadata = new JsonObject();
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>()) errorMetadata[key] = value;
        details.Add(new JsonObject
        {
            ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
            ["reason"] = reason,
            ["domain"] = "dapr.io",
            ["metadata"] = errorMetadata,
        });
        return Results.Json(new DaprErrorBody(errorCode, message, details), SidecarJson.Default.DaprErrorBody, statusCode: status);
    }

    public static IResult PubSubNotFound(string name) =>
        Rich(404, "ERR_PUBSUB_NOT_FOUND", "DAPR_PUBSUB_NOT_FOUND", $"pubsub {name} is not found");

    public static IResult StateStoreNotFound(string name, string appId) =>
        Rich(400, "ERR_STATE_STORE_NOT_FOUND", "DAPR_STATE_NOT_FOUND", $"state store {name} is not found",
            metadata: new Dictionary<string, string> { ["appID"] = appId });

    public static IResult StateStoreNotConfigured(string appId) =>
        Rich(500, "ERR_STATE_STORE_NOT_CONFIGURED", "DAPR_STATE_NOT_CONFIGURED", "state store is not configured",
            metadata: new Dictionary<string, string> { ["appID"] = appId });

    public static IResult Malformed(string message) => Legacy(400, "ERR_MALFORMED_REQUEST", message);
}
