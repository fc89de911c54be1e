using Microsoft.AspNetCore.Http.Features;

namespace Veltrix.Sidecar.Api;

/// <summary>Reading what every API call carries: the body (size-limited by Kestrel) and `metadata.*` query parameters.</summary>
public static class RequestReading
{
    public static async Task<byte[]> ReadBodyAsync(this HttpRequest request, CancellationToken cancellationToken)
    {
        var length = request.ContentLength is > 0 and < int.MaxValue ? (int)request.ContentLength.Value : 4096;
        using var buffer = new MemoryStream(length);
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>Query parameters named `metadata.&lt;key&gt;`, prefix stripped (contract §0.1).</summary>
    public static Dictionary<string, string> QueryMetadata(this HttpRequest request)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
            if (key.StartsWith("metadata.", StringComparison.Ordinal) && key.Length > 9) metadata[key[9..]] = value.ToString();
        return metadata;
    }

    public static long? MaxBody(this HttpContext context) => context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
}
