using System.Net;
using System.Text.Json;

namespace Veltrix.Dapr.Client;

/// <summary>
/// The sidecar answered a Dapr API call with a non-success status. Carries what daprd reports: the HTTP status,
/// the legacy <c>ERR_*</c> code and message, and the google.rpc-style <c>details</c> when present.
/// </summary>
public class DaprApiException : DaprException
{
    public DaprApiException(string message, HttpStatusCode statusCode, string? errorCode, string? sidecarMessage,
        JsonElement? details = null, string? responseBody = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        SidecarMessage = sidecarMessage;
        Details = details;
        ResponseBody = responseBody;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>The sidecar's <c>errorCode</c> (e.g. <c>ERR_STATE_SAVE</c>); null when the body was not Dapr error JSON.</summary>
    public string? ErrorCode { get; }

    /// <summary>The sidecar's <c>message</c>, or the plain-text body (e.g. <c>invalid api token</c>).</summary>
    public string? SidecarMessage { get; }

    /// <summary>The rich error <c>details</c> array, when the sidecar sent one.</summary>
    public JsonElement? Details { get; }

    /// <summary>The raw response body (truncated), kept for diagnostics.</summary>
    public string? ResponseBody { get; }

    /// <summary>True for statuses where calling again may succeed (the sidecar or its component was not ready).</summary>
    public bool IsTransient => StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests
        or HttpStatusCode.GatewayTimeout or HttpStatusCode.BadGateway;
}
