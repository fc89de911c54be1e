using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Veltrix.Cli.Control;

/// <summary>A control-service answer: the status and the JSON body (a problem+json body on errors).</summary>
public sealed record ControlResponse(HttpStatusCode Status, JsonElement Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}

/// <summary>Talks to the control service's /configurations API with the operator token.</summary>
public sealed class ControlClient(HttpClient http)
{
    public static ControlClient Create(Uri baseAddress, string? token, HttpMessageHandler? handler = null)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = baseAddress;
        http.Timeout = TimeSpan.FromSeconds(30);
        if (!string.IsNullOrEmpty(token)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new ControlClient(http);
    }

    public Uri BaseAddress => http.BaseAddress!;

    public Task<ControlResponse> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<ControlResponse> PostYamlAsync(string path, string yaml, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(yaml, Encoding.UTF8, "application/yaml") }, cancellationToken);

    public Task<ControlResponse> PostJsonAsync(string path, string json, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, cancellationToken);

    private async Task<ControlResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement body;
            try
            {
                body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                body = JsonDocument.Parse(JsonSerializer.Serialize(text)).RootElement.Clone();
            }
            return new ControlResponse(response.StatusCode, body);
        }
    }
}
