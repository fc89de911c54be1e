using Veltrix.Dapr.Client;
using Veltrix.Testing;

namespace Veltrix.Dapr.Tests.Infrastructure;

internal static class DaprTestClients
{
    /// <summary>A client for one sidecar. The token is explicit ("" = none) so the test process environment never leaks in.</summary>
    public static DaprClient For(SidecarProcess sidecar, string apiToken = "") => For(sidecar.BaseAddress, apiToken);

    public static DaprClient For(Uri endpoint, string apiToken = "", TimeSpan? healthTimeout = null)
    {
        var builder = new DaprClientBuilder().UseHttpEndpoint(endpoint.ToString()).UseDaprApiToken(apiToken);
        if (healthTimeout is { } timeout) builder.UseHealthTimeout(timeout);
        return builder.Build();
    }

    /// <summary>Programmatic subscriptions load after start-up; publishing before that loses in-memory messages.</summary>
    public static Task WaitForSubscriptionAsync(this DaprClient client, string topic) =>
        Eventually.UntilAsync(async () => (await client.GetMetadataAsync()).Subscriptions.Any(s => s.Topic == topic),
            $"the sidecar to load a subscription to '{topic}'");
}
