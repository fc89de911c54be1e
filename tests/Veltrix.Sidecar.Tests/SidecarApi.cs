using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Veltrix.Sidecar.Tests;

/// <summary>Raw HTTP calls to the sidecar's Dapr API, so the tests see exactly what daprd's clients see.</summary>
public sealed class SidecarApi(Uri baseAddress, string? token = null) : IDisposable
{
    private readonly HttpClient _http = Create(baseAddress, token);

    public HttpClient Http => _http;

    public Task<HttpResponseMessage> PublishAsync(string pubsub, string topic, string body, string? contentType = "application/json", string query = "",
        IDictionary<string, string>? headers = null, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Post, $"/v1.0/publish/{pubsub}/{topic}{query}")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        foreach (var (key, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(key, value);
        return _http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, HttpMethod? method = null) =>
        _http.SendAsync(new HttpRequestMessage(method ?? HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>The `errorCode` of a Dapr error answer.</summary>
    public static async Task<string?> ErrorCodeAsync(HttpResponseMessage response) =>
        (await JsonAsync(response)).TryGetProperty("errorCode", out var code) ? code.GetString() : null;

    private static HttpClient Create(Uri baseAddress, string? token)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) http.DefaultRequestHeaders.Add("dapr-api-token", token);
        return http;
    }

    public void Dispose() => _http.Dispose();
}
