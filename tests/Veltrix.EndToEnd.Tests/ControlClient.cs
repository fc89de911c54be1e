using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>The control service and the apps' /metrics, as an operator and a monitoring system reach them.</summary>
internal sealed partial class ControlClient : IDisposable
{
    private readonly RunningSystem _system;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public ControlClient(RunningSystem system)
    {
        _system = system;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", system.OperatorToken);
    }

    public static string RepositoryConfiguration => File.ReadAllText(Path.Combine(RepositoryLayout.Root, "events", "treasure-hunt.yaml"));

    public async Task<(HttpStatusCode Status, JsonElement Body)> ApplyAsync(string yaml, string file = "events/treasure-hunt.yaml") =>
        await SendAsync(HttpMethod.Post, $"/configurations?file={Uri.EscapeDataString(file)}", new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    public async Task<(HttpStatusCode Status, JsonElement Body)> ActivateAsync(int version, string? expectedActive, bool force = false) =>
        await SendAsync(HttpMethod.Post, $"/configurations/treasure-hunt/versions/{version}/activate", JsonContent.Create(new { expectedActive, force }));

    public async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path) => await SendAsync(HttpMethod.Get, path, null);

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, HttpContent? content, bool withToken = true)
    {
        using var request = new HttpRequestMessage(method, new Uri(_system.Url("control"), path)) { Content = content };
        if (!withToken) request.Headers.Authorization = null;
        using var response = withToken ? await _http.SendAsync(request) : await new HttpClient().SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The sum of a Prometheus counter's samples of an app whose labels include all of <paramref name="labels"/>.</summary>
    public async Task<double> CounterAsync(string appId, string family, params (string Name, string Value)[] labels)
    {
        var text = await _http.GetStringAsync(new Uri(_system.Url(appId), "/metrics"));
        return text.Split('\n')
            .Select(line => Sample().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == family)
            .Where(m => labels.All(l => m.Groups["labels"].Value.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>.*)\} (?<value>\S+)$""")]
    private static partial Regex Sample();
}
