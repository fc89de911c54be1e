using System.Net;
using System.Text;
using System.Text.Json;
using Veltrix.Dapr.Serialization;

namespace Veltrix.Dapr.Client;

/// <summary>Turns a failed sidecar response into a <see cref="DaprApiException"/>, whatever the body looks like.</summary>
internal static class DaprErrorParser
{
    // Error bodies are small; a cap keeps a misbehaving endpoint from filling memory through an exception.
    private const int MaxBodyChars = 8 * 1024;

    public static async Task<DaprApiException> CreateAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken,
        string? storeName = null, string? key = null)
    {
        var body = await ReadBodyAsync(response, cancellationToken);
        return Create(response.StatusCode, body, operation, storeName, key);
    }

    public static DaprApiException Create(HttpStatusCode status, string body, string operation, string? storeName = null, string? key = null)
    {
        var (errorCode, message, details) = Parse(body);
        var text = new StringBuilder()
            .Append(operation).Append(" failed: the Dapr sidecar answered ").Append((int)status).Append(' ').Append(status);
        if (errorCode is not null) text.Append(' ').Append(errorCode);
        if (!string.IsNullOrWhiteSpace(message)) text.Append(": ").Append(message);
        if (status == HttpStatusCode.Unauthorized)
            text.Append(". The sidecar requires the dapr-api-token header: set DAPR_API_TOKEN (or DaprClientOptions.DaprApiToken) to the sidecar's token.");

        var truncated = body.Length > MaxBodyChars ? body[..MaxBodyChars] : body;
        if (status == HttpStatusCode.Conflict && storeName is not null && key is not null)
            return new DaprStateConflictException(text.ToString(), storeName, key, errorCode, message, details, truncated);
        return new DaprApiException(text.ToString(), status, errorCode, message, details, truncated);
    }

    /// <summary>JSON error bodies give code, message and details; anything else (401's plain text) becomes the message.</summary>
    internal static (string? ErrorCode, string? Message, JsonElement? Details) Parse(string body)
    {
        var trimmed = body.AsSpan().Trim();
        if (trimmed.Length > 0 && trimmed[0] == '{')
        {
            try
            {
                var parsed = JsonSerializer.Deserialize(body, DaprJsonContext.Default.DaprErrorBody);
                if (parsed is not null && (parsed.ErrorCode is not null || parsed.Message is not null))
                {
                    JsonElement? details = parsed.Details is { ValueKind: JsonValueKind.Array } d ? d.Clone() : null;
                    return (parsed.ErrorCode, parsed.Message, details);
                }
            }
            catch (JsonException)
            {
                // Not Dapr error JSON after all: fall through and report the text as it is.
            }
        }
        var text = trimmed.ToString();
        return (null, text.Length == 0 ? null : text.Length > MaxBodyChars ? text[..MaxBodyChars] : text, null);
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }
}
