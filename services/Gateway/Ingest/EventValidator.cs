using System.Text.Json;
using Veltrix.Gateway.Events;
using Veltrix.ServiceDefaults;

namespace Veltrix.Gateway.Ingest;

/// <summary>One event of a request: either accepted (with its id) or rejected with a VX code and the field at fault.</summary>
public abstract record Checked(int Index)
{
    public sealed record Accepted(int Index, string Id, AnswerSubmitted Answer) : Checked(Index);

    public sealed record Rejected(int Index, string Code, string Message) : Checked(Index);
}

/// <summary>Checks the shape of incoming events: {"id","type","data"}, and for answer.submitted the four string fields.</summary>
public static class EventValidator
{
    public const int MaxIdLength = 200;
    public const int MaxFieldLength = 500;
    private static readonly string[] AnswerFields = ["huntId", "puzzleId", "playerId", "answer"];

    public static Checked Check(JsonElement item, int index)
    {
        if (item.ValueKind != JsonValueKind.Object) return Invalid(index, $"event {index} must be an object with id, type and data");
        if (!item.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 and <= MaxIdLength } eventId)
            return Invalid(index, $"'id' must be a non-empty string of at most {MaxIdLength} characters");
        if (!item.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            return Invalid(index, "'type' must be a string");
        if (type.GetString() != Topics.AnswerSubmitted)
            return new Checked.Rejected(index, ServiceErrorCodes.UnknownEventType, $"unknown event type '{type.GetString()}'; this gateway accepts: {Topics.AnswerSubmitted}");
        if (!item.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            return Invalid(index, "'data' must be an object with huntId, puzzleId, playerId and answer");

        var values = new string[AnswerFields.Length];
        for (var f = 0; f < AnswerFields.Length; f++)
        {
            var name = AnswerFields[f];
            if (!data.TryGetProperty(name, out var value)) return Invalid(index, $"'data.{name}' is missing");
            if (value.ValueKind != JsonValueKind.String) return Invalid(index, $"'data.{name}' must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}");
            var text = value.GetString()!;
            if (name != "answer" && text.Length == 0) return Invalid(index, $"'data.{name}' must not be empty");
            if (text.Length > MaxFieldLength) return Invalid(index, $"'data.{name}' is longer than {MaxFieldLength} characters");
            values[f] = text;
        }
        return new Checked.Accepted(index, eventId, new AnswerSubmitted(values[0], values[1], values[2], values[3]));
    }

    private static Checked.Rejected Invalid(int index, string message) => new(index, ServiceErrorCodes.ValidationFailed, message);
}
