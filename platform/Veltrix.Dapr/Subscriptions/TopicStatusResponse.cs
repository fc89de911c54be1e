using System.Text.Json.Serialization;

namespace Veltrix.Dapr.AspNetCore;

/// <summary>The body of a single-delivery answer: <c>{"status":"SUCCESS|RETRY|DROP"}</c> (case-sensitive for daprd).</summary>
internal sealed record TopicStatusResponse([property: JsonPropertyName("status")] string Status);
