using Microsoft.Extensions.Options;

namespace Veltrix.Dapr.Client;

/// <summary>Fails start-up (with <c>ValidateOnStart</c>) instead of the first sidecar call when the options cannot work.</summary>
internal sealed class DaprClientOptionsValidator : IValidateOptions<DaprClientOptions>
{
    public ValidateOptionsResult Validate(string? name, DaprClientOptions options)
    {
        var failures = new List<string>();
        try
        {
            options.ResolveHttpEndpoint();
        }
        catch (InvalidOperationException e)
        {
            failures.Add(e.Message);
        }

        var token = options.ResolveDaprApiToken();
        if (token is not null && token.AsSpan().IndexOfAny('\r', '\n') >= 0)
            failures.Add($"The Dapr API token (option {nameof(DaprClientOptions.DaprApiToken)} or {DaprDefaults.ApiTokenVariable}) contains a line break and cannot be sent as a header.");

        if (options.ResolveHealthTimeout() <= TimeSpan.Zero)
            failures.Add($"{nameof(DaprClientOptions.HealthTimeout)} must be positive.");

        if (options.JsonSerializerOptions is null)
            failures.Add($"{nameof(DaprClientOptions.JsonSerializerOptions)} must not be null.");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
