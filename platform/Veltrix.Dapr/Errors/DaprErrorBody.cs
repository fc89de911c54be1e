using System.Text.Json;
using System.Text.Json.Serialization;

namespace Veltrix.Dapr.Client;

/// <summary>daprd's error JSON: legacy <c>{errorCode,message}</c>, plus <c>details</c> in the rich form (contract §0.2).</summary>
internal sealed record DaprErrorBody(
    [property: JsonPropertyName("errorCode")] string? ErrorCode,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("details")] JsonElement? Details);
