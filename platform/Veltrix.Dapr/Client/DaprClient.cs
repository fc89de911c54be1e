using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Veltrix.Dapr.Client;

/// <summary>
/// Talks to the Dapr sidecar over its HTTP API v1.0 (the contract in <c>reference/dapr-http-contract.md</c>).
/// Method names and shapes follow the Dapr .NET SDK's <c>DaprClient</c> so moving to it later is a small diff.
/// Register with <c>services.AddDaprClient()</c>, or build one with <see cref="DaprClientBuilder"/>.
/// </summary>
public partial class DaprClient
{
    // No charset parameter: JSON is UTF-8 by definition, and daprd copies the header verbatim into the CloudEvent's
    // datacontenttype, where subscribers in any language compare it with "application/json".
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string? _apiToken;

    /// <summary>The typed-client constructor used by <c>AddDaprClient</c>.</summary>
    [ActivatorUtilitiesConstructor]
    public DaprClient(HttpClient httpClient, IOptions<DaprClientOptions> options) : this(httpClient, options.Value) { }

    /// <summary>For tests and tools: any <see cref="HttpClient"/> plus options (null: the environment defaults).</summary>
    public DaprClient(HttpClient httpClient, DaprClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        options ??= new DaprClientOptions();
        _http = httpClient;
        _endpoint = options.ResolveHttpEndpoint();
        _apiToken = options.ResolveDaprApiToken();
        HealthTimeout = options.ResolveHealthTimeout();
        JsonSerializerOptions = options.JsonSerializerOptions;
        // GetTypeInfo needs a resolver; serialising would lock the options the same way on first use anyway.
        if (!JsonSerializerOptions.IsReadOnly) JsonSerializerOptions.MakeReadOnly(populateMissingResolver: true);
    }

    /// <summary>The sidecar's HTTP endpoint every call goes to.</summary>
    public Uri HttpEndpoint => _endpoint;

    /// <summary>Serialises user payloads for the overloads without a <see cref="JsonTypeInfo{T}"/>.</summary>
    public JsonSerializerOptions JsonSerializerOptions { get; }

    /// <summary>How long <see cref="WaitForSidecarAsync"/> waits.</summary>
    public TimeSpan HealthTimeout { get; }

    private HttpRequestMessage CreateRequest(HttpMethod method, string relativePath, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(_endpoint, relativePath)) { Content = content };
        // Per request rather than DefaultRequestHeaders: the HttpClient may be shared or supplied by the caller.
        if (_apiToken is not null) request.Headers.TryAddWithoutValidation(DaprDefaults.ApiTokenHeader, _apiToken);
        return request;
    }

    private static ByteArrayContent JsonContent(byte[] json)
    {
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = JsonContentType;
        return content;
    }

    /// <summary>
    /// Sends and maps transport failures to <see cref="DaprException"/> naming the endpoint, so "sidecar not running"
    /// reads as such. Cancellation by the caller stays an <see cref="OperationCanceledException"/>.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new DaprException($"{operation} failed: could not reach the Dapr sidecar at {_endpoint} ({e.Message}). Is the sidecar running and DAPR_HTTP_PORT/DAPR_HTTP_ENDPOINT right?", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DaprException($"{operation} failed: the Dapr sidecar at {_endpoint} did not answer within {_http.Timeout.TotalSeconds:0.#} s.", e);
        }
    }

    /// <summary>Sends a request whose only success answer is an empty 2xx; everything else throws.</summary>
    private async Task SendExpectingNoContentAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken,
        string? storeName = null, string? key = null)
    {
        using (request)
        using (var response = await SendAsync(request, operation, cancellationToken))
        {
            if (!response.IsSuccessStatusCode)
                throw await DaprErrorParser.CreateAsync(response, operation, cancellationToken, storeName, key);
        }
    }

    private JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)JsonSerializerOptions.GetTypeInfo(typeof(T));

    private static async Task<T?> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return bytes.Length == 0 ? default : JsonSerializer.Deserialize(bytes, typeInfo);
    }

    private static string ETagOf(HttpResponseMessage response) =>
        // Raw header: daprd sends unquoted ETags ("1", a UUID) that the typed EntityTagHeaderValue parser rejects.
        response.Headers.TryGetValues("ETag", out var values) ? values.FirstOrDefault() ?? "" : "";

    private static bool IsStatus(HttpResponseMessage response, HttpStatusCode status) => response.StatusCode == status;
}
