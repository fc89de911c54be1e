using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Veltrix.ServiceDefaults.Security;

/// <summary>The answers of a route when a player's token does not prove who the request names, and its registration.</summary>
public static class PlayerTokenRefusals
{
    /// <summary>Registers <see cref="PlayerTokens"/> (hunt issues and checks; gateway and prizes check).</summary>
    public static TBuilder AddPlayerTokens<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(sp => new PlayerTokens(builder.Configuration));
        return builder;
    }

    /// <summary>
    /// Null when <paramref name="token"/> is (<paramref name="huntId"/>, <paramref name="playerId"/>)'s token; otherwise
    /// 401 VX3014 (missing, with <c>WWW-Authenticate: Bearer</c>), 403 VX3014 (wrong) or 401 VX3016 (closed).
    /// </summary>
    public static IResult? Check(this PlayerTokens tokens, HttpContext http, string? token, string huntId, string playerId)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(http);
        var check = tokens.Check(token, huntId, playerId);
        if (check == PlayerTokenCheck.Missing) http.Response.Headers.WWWAuthenticate = "Bearer";
        return check switch
        {
            PlayerTokenCheck.Valid => null,
            PlayerTokenCheck.Missing => Problems.Create(StatusCodes.Status401Unauthorized, ServiceErrorCodes.PlayerTokenRequired, "Player token required",
                Message(check, tokens, huntId, playerId)),
            PlayerTokenCheck.Wrong => Problems.Create(StatusCodes.Status403Forbidden, ServiceErrorCodes.PlayerTokenRequired, "Wrong player token",
                Message(check, tokens, huntId, playerId)),
            _ => Problems.Create(StatusCodes.Status401Unauthorized, ServiceErrorCodes.PlayerTokensClosed, "Player routes closed",
                Message(check, tokens, huntId, playerId)),
        };
    }

    /// <summary>The sentence a client reads (also the gateway's per-event rejection message). Never echoes the token.</summary>
    public static string Message(PlayerTokenCheck check, PlayerTokens tokens, string huntId, string playerId)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return check switch
        {
            PlayerTokenCheck.Missing =>
                $"acting as player '{Ids.Printable(playerId)}' in hunt '{Ids.Printable(huntId)}' needs that player's token: send 'Authorization: Bearer <token>' (at the gateway: the event's \"playerToken\"); a player gets it once, from POST /hunts/{{huntId}}/players",
            PlayerTokenCheck.Wrong =>
                $"the player token is not the one issued to player '{Ids.Printable(playerId)}' in hunt '{Ids.Printable(huntId)}'; send the token that player's join returned",
            _ => $"this service cannot check player tokens ({tokens.ClosedBecause}), so player routes are closed; start it through AppHost or set {PlayerTokens.KeyVariable} (the same value on hunt, gateway and prizes)",
        };
    }
}
