using System.Text.Json;
using Veltrix.Events.Routing;
using Veltrix.Events.Schema;
using Veltrix.ServiceDefaults;
using Veltrix.ServiceDefaults.Security;

namespace Veltrix.Gateway.Ingest;

/// <summary>One event of a request: either accepted (with its id, type and data) or rejected with a VX code and the field at fault.</summary>
public abstract record Checked(int Index)
{
    public sealed record Accepted(int Index, string Id, string Type, JsonElement Data) : Checked(Index);

    public sealed record Rejected(int Index, string Code, string Message) : Checked(Index);
}

/// <summary>
/// Checks incoming events against the active configuration: {"id","type","data"}, a type the gateway produces in
/// that version, and data that matches the type's schema; the event id and every data field whose name ends in <c>Id</c>
/// follow the id rule (<see cref="Ids"/>, VX3010); an event whose data names a player (<c>huntId</c> and <c>playerId</c>)
/// carries that player's token (VX3014) — in its own <c>"playerToken"</c> member, or for every event of the request in
/// <c>Authorization: Bearer</c> — because a batch may hold the answers of many players.
/// </summary>
public static class EventValidator
{
    public const int MaxIdLength = 200;
    public const int MaxFieldLength = 500;

    public static Checked Check(JsonElement item, int index, RoutingTable routes, string appId, PlayerTokens tokens, string? bearer)
    {
        try
        {
            return CheckText(item, index, routes, appId, tokens, bearer);
        }
        catch (InvalidOperationException e) when (e.Source == "System.Text.Json.Rethrowable")
        {
            // GetString() on "\ud800": the JSON is well-formed but the string is not text. Only this event is refused.
            return Invalid(index, $"event {index} holds a string that is not valid text ({e.Message}); send valid UTF-16, no lone surrogate escapes");
        }
    }

    private static Checked CheckText(JsonElement item, int index, RoutingTable routes, string appId, PlayerTokens tokens, string? bearer)
    {
        if (item.ValueKind != JsonValueKind.Object) return Invalid(index, $"event {index} must be an object with id, type and data");
        if (!item.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
            return Invalid(index, $"'id' must be a non-empty string of at most {MaxIdLength} characters");
        var eventId = id.GetString()!;
        if (Ids.Problem(eventId) is { } badId) return new Checked.Rejected(index, ServiceErrorCodes.InvalidId, Ids.Describe("id", badId));
        if (!item.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            return Invalid(index, "'type' must be a string");
        var definition = routes.Find(type.GetString()!);
        if (definition is null || !definition.Producers.Contains(appId, StringComparer.Ordinal))
            return new Checked.Rejected(index, ServiceErrorCodes.UnknownEventType,
                $"unknown event type '{type.GetString()}'; under {routes.Label} this gateway accepts: {string.Join(", ", routes.ProducedBy(appId).Select(e => e.Type))}");
        if (!item.TryGetProperty("data", out var data))
            return Invalid(index, $"'data' is missing; {definition.Type} carries {string.Join(", ", definition.Schema.Select(f => f.Name))}");
        if (DataValidator.Validate(data, definition, MaxFieldLength) is { } problem) return Invalid(index, problem);
        // Fields named like ids (huntId, playerId, …) become state keys and URL segments downstream: they follow the id
        // rule here, where the sender reads the answer, rather than become dead letters at the consumer.
        foreach (var field in data.EnumerateObject())
            if (field.Name.EndsWith("Id", StringComparison.Ordinal) && field.Value.ValueKind == JsonValueKind.String
                && Ids.Problem(field.Value.GetString()) is { } badField)
                return new Checked.Rejected(index, ServiceErrorCodes.InvalidId, Ids.Describe("data." + field.Name, badField));
        if (PlayerTokenProblem(item, data, tokens, bearer) is { } refused) return refused with { Index = index };
        return new Checked.Accepted(index, eventId, definition.Type, data);
    }

    /// <summary>
    /// An event that acts for a player — its data names a hunt and a player — is accepted only with that player's token.
    /// The check is an HMAC over the ids (<see cref="PlayerTokens"/>): no state read on the gateway's hot path. The token
    /// is never published; only <c>data</c> travels on.
    /// </summary>
    private static Checked.Rejected? PlayerTokenProblem(JsonElement item, JsonElement data, PlayerTokens tokens, string? bearer)
    {
        if (!data.TryGetProperty("playerId", out var player) || player.ValueKind != JsonValueKind.String
            || !data.TryGetProperty("huntId", out var hunt) || hunt.ValueKind != JsonValueKind.String)
            return null;
        var token = item.TryGetProperty("playerToken", out var own) && own.ValueKind == JsonValueKind.String ? own.GetString() : bearer;
        var (huntId, playerId) = (hunt.GetString()!, player.GetString()!);
        var check = tokens.Check(token, huntId, playerId);
        return check == PlayerTokenCheck.Valid
            ? null
            : new Checked.Rejected(0, check == PlayerTokenCheck.Closed ? ServiceErrorCodes.PlayerTokensClosed : ServiceErrorCodes.PlayerTokenRequired,
                PlayerTokenRefusals.Message(check, tokens, huntId, playerId));
    }

    private static Checked.Rejected Invalid(int index, string message) => new(index, ServiceErrorCodes.ValidationFailed, message);
}
