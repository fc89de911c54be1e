namespace Veltrix.ServiceDefaults;

/// <summary>
/// The stable codes of every error response a Veltrix service sends (the <c>code</c> member of its problem+json).
/// Catalogued with the fix in <c>docs/errors.md</c>; clients may branch on them, so a code never changes meaning.
/// </summary>
public static class ServiceErrorCodes
{
    /// <summary>500: the service failed unexpectedly; the details are in its log, never in the response.</summary>
    public const string Internal = "VX3000";

    /// <summary>400: the body is not valid JSON or does not bind to the endpoint's parameters.</summary>
    public const string MalformedJson = "VX3001";

    /// <summary>400 (and other 4xx without a more specific code): the request is well-formed but its values are not accepted.</summary>
    public const string ValidationFailed = "VX3002";

    /// <summary>400: an event names a type this service does not accept.</summary>
    public const string UnknownEventType = "VX3003";

    /// <summary>413: the body (or the batch in it) exceeds the configured limit.</summary>
    public const string PayloadTooLarge = "VX3004";

    /// <summary>415: the Content-Type is not one the endpoint reads (JSON endpoints need application/json).</summary>
    public const string UnsupportedMediaType = "VX3005";

    /// <summary>429/503: the service is at a configured bound; retry after the Retry-After interval.</summary>
    public const string Overloaded = "VX3006";

    /// <summary>404: no such route or resource.</summary>
    public const string NotFound = "VX3007";

    /// <summary>401/403: the caller's token is missing or wrong.</summary>
    public const string Unauthorized = "VX3008";

    /// <summary>405: the route exists but not for this HTTP method.</summary>
    public const string MethodNotAllowed = "VX3009";

    /// <summary>400: an id (in the URL, the body or an event's data) is empty, too long, or holds a character an id may not hold (see <see cref="Ids"/>).</summary>
    public const string InvalidId = "VX3010";

    /// <summary>414/431: the request's URL or headers exceed the service's bounds.</summary>
    public const string RequestTooLong = "VX3011";

    /// <summary>401: the service's operator token is shorter than the minimum, so its operator endpoints are closed.</summary>
    public const string WeakOperatorToken = "VX3012";

    /// <summary>
    /// 503 with Retry-After: the service's Dapr sidecar, or a store, broker or app behind it, is unreachable or failed
    /// (<see cref="InfrastructureFailure"/>); the request was fine and the same request succeeds once it is back.
    /// </summary>
    public const string DependencyUnavailable = "VX3013";

    /// <summary>
    /// 401 (missing) / 403 (wrong): an answer or claim for a player came without that player's token, or with a token
    /// issued for another player or hunt (<see cref="Security.PlayerTokens"/>); a per-event rejection at the gateway.
    /// </summary>
    public const string PlayerTokenRequired = "VX3014";

    /// <summary>409: the player has already joined the hunt; its token was handed out then, and only then.</summary>
    public const string PlayerAlreadyJoined = "VX3015";

    /// <summary>401: the service has no key for player tokens (no VELTRIX_PLAYER_TOKEN_KEY, no strong operator token), so player routes stay closed.</summary>
    public const string PlayerTokensClosed = "VX3016";

    /// <summary>400: a join's <c>Idempotency-Key</c> header is malformed (too short or long, a character outside visible ASCII, given twice).</summary>
    public const string IdempotencyKeyMalformed = "VX3017";

    /// <summary>An award for a player new to a full page of a hunt's board: dropped to the dead-letter topic and logged (the leaderboard).</summary>
    public const string BoardPageFull = "VX3018";

    /// <summary>A service's trace budget (<c>Telemetry:TracesPerSecond</c>) is not a number ≥ 0: it refuses to start.</summary>
    public const string TraceBudgetInvalid = "VX3019";

    /// <summary>The documentation page for a code; problem+json's <c>type</c> member.</summary>
    public static string TypeUri(string code) => "https://veltrix.dev/errors/" + code;

    /// <summary>The code an error response gets when the code that produced it named none (status-code pages, framework errors).</summary>
    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ValidationFailed,
        StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => Unauthorized,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status414UriTooLong or StatusCodes.Status431RequestHeaderFieldsTooLarge => RequestTooLong,
        StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable => Overloaded,
        >= 500 => Internal,
        _ => ValidationFailed,
    };
}
