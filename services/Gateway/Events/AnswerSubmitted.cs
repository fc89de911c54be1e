using System.Text.Json.Serialization;

namespace Veltrix.Gateway.Events;

/// <summary>A player's answer, checked for shape by the gateway and judged by hunt.</summary>
public sealed record AnswerSubmitted(string HuntId, string PuzzleId, string PlayerId, string Answer);

/// <summary>
/// answer.submitted as a complete CloudEvent whose id is the client's event id, so a client resending a batch
/// produces the same ids all the way down.
/// </summary>
public sealed record AnswerSubmittedCloudEvent(
    [property: JsonPropertyName("specversion")] string SpecVersion,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("datacontenttype")] string DataContentType,
    [property: JsonPropertyName("data")] AnswerSubmitted Data)
{
    public static AnswerSubmittedCloudEvent For(string id, AnswerSubmitted answer) =>
        new("1.0", id, "gateway", Topics.AnswerSubmitted, "application/json", answer);
}
