using System.Text.Json;

namespace Veltrix.Dapr.Client;

/// <summary>Builds a <see cref="DaprClient"/> without dependency injection (tools, tests), as the SDK's builder does.</summary>
public sealed class DaprClientBuilder
{
    private readonly DaprClientOptions _options = new();
    private Func<HttpClient>? _httpClientFactory;

    public DaprClientBuilder UseHttpEndpoint(string httpEndpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(httpEndpoint);
        _options.HttpEndpoint = httpEndpoint;
        return this;
    }

    /// <summary>The token to send; an empty string sends none even when <c>DAPR_API_TOKEN</c> is set.</summary>
    public DaprClientBuilder UseDaprApiToken(string apiToken)
    {
        ArgumentNullException.ThrowIfNull(apiToken);
        _options.DaprApiToken = apiToken;
        return this;
    }

    public DaprClientBuilder UseJsonSerializationOptions(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options.JsonSerializerOptions = options;
        return this;
    }

    public DaprClientBuilder UseHealthTimeout(TimeSpan timeout)
    {
        _options.HealthTimeout = timeout;
        return this;
    }

    /// <summary>Supplies the <see cref="HttpClient"/> (e.g. with a test handler). Default: a new one per client.</summary>
    public DaprClientBuilder UseHttpClientFactory(Func<HttpClient> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _httpClientFactory = factory;
        return this;
    }

    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options cannot work.</exception>
    public DaprClient Build()
    {
        var validation = new DaprClientOptionsValidator().Validate(null, _options);
        if (validation.Failed)
            throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(DaprClientOptions), typeof(DaprClientOptions), validation.Failures);
        return new DaprClient(_httpClientFactory?.Invoke() ?? new HttpClient(), _options);
    }
}
