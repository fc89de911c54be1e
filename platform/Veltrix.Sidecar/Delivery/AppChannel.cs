using System.Net.Http.Headers;

namespace Veltrix.Sidecar.Delivery;

/// <summary>The app's answer to one call: a status and body, or no status at all when the call itself failed.</summary>
public sealed record AppResponse(int? Status, byte[] Body, string? Failure)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}

/// <summary>
/// HTTP from the sidecar to its app: pooled keep-alive connections, the app token on every call, and failures
/// (refused connection, timeout) turned into a result rather than an exception, because they are ordinary outcomes.
/// </summary>
public sealed class AppChannel : IDisposable
{
    private readonly HttpClient _http;
    private readonly string? _appToken;
    private readonly string _appId;

    public AppChannel(string address, int port, string appId, string? appToken)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            BaseAddress = new Uri($"http://{address}:{port}"),
            Timeout = Timeout.InfiniteTimeSpan, // per-attempt timeouts come from the resiliency policy
        };
        _appToken = appToken;
        _appId = appId;
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>The body is only read during the call: a caller may reuse its memory once the call returns.</summary>
    public async Task<AppResponse> SendAsync(HttpMethod method, string path, ReadOnlyMemory<byte>? body, string? contentType,
        IEnumerable<KeyValuePair<string, string>>? headers, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.StartsWith('/') ? path : "/" + path);
        if (body is { } content)
        {
            request.Content = new ReadOnlyMemoryContent(content);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/json");
        }
        if (_appToken is not null) request.Headers.TryAddWithoutValidation("dapr-api-token", _appToken);
        request.Headers.TryAddWithoutValidation("dapr-app-id", _appId);
        foreach (var (key, value) in headers ?? []) request.Headers.TryAddWithoutValidation(key, value);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return new AppResponse((int)response.StatusCode, bytes, null);
        }
        catch (HttpRequestException e)
        {
            return new AppResponse(null, [], $"calling the app failed: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AppResponse(null, [], "calling the app timed out");
        }
        catch (OperationCanceledException e) when (e.CancellationToken == cancellationToken)
        {
            return new AppResponse(null, [], "the attempt timed out (resiliency timeout policy)");
        }
    }

    public void Dispose() => _http.Dispose();
}
