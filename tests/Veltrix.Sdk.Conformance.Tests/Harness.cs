using Dapr.Client;
using Veltrix.Testing;

namespace Veltrix.Sdk.Conformance.Tests;

/// <summary>
/// One conformance setup: a resources folder, optionally a <see cref="SubscriberApp"/>, the dev sidecar as a real
/// process (single-app mode, its own HTTP and gRPC ports) and a `DaprClient` from the official SDK's builder,
/// pointed at both ports, with the API token when the sidecar has one.
/// </summary>
public sealed class Harness : IAsyncDisposable
{
    private Harness(ResourcesFolder resources, SidecarProcess sidecar, SubscriberApp? app, string appId, string? apiToken)
    {
        Resources = resources;
        Sidecar = sidecar;
        App = app;
        AppId = appId;
        ApiToken = apiToken;
        Client = NewClient(apiToken);
    }

    public ResourcesFolder Resources { get; }
    public SidecarProcess Sidecar { get; }
    public SubscriberApp? App { get; }
    public string AppId { get; }
    public string? ApiToken { get; }
    public DaprClient Client { get; }

    public SubscriberApp Subscriber => App ?? throw new InvalidOperationException("this harness has no subscriber app");

    /// <param name="pubsub">A backend from <see cref="Backends.PubSubs"/>, or null for none.</param>
    /// <param name="state">A backend from <see cref="Backends.StateStores"/>, or null for none.</param>
    /// <param name="extraYaml">More resources (a Resiliency, a second component).</param>
    public static async Task<Harness> StartAsync(string? pubsub = null, string? state = null, bool withApp = false, string? apiToken = null,
        IEnumerable<string>? extraArguments = null, IEnumerable<string>? extraYaml = null, string? appApiToken = null)
    {
        var resources = new ResourcesFolder();
        SubscriberApp? app = null;
        try
        {
            if (pubsub is not null) resources.Write("pubsub.yaml", Backends.PubSub(pubsub));
            if (state is not null) resources.Write("state.yaml", Backends.State(state, resources));
            var i = 0;
            foreach (var yaml in extraYaml ?? []) resources.Write($"extra{i++}.yaml", yaml);
            if (withApp) app = await SubscriberApp.StartAsync();
            var appId = "conf-" + Guid.NewGuid().ToString("N")[..8];
            var environment = new Dictionary<string, string?> { ["DAPR_API_TOKEN"] = apiToken, ["APP_API_TOKEN"] = appApiToken };
            var sidecar = await SidecarProcess.StartForAppAsync(appId, app?.Port, [resources.Path], environment, extraArguments);
            return new Harness(resources, sidecar, app, appId, apiToken);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync();
            resources.Dispose();
            throw;
        }
    }

    /// <summary>A client of the official SDK on this sidecar's ports, with the given token (null: none).</summary>
    public DaprClient NewClient(string? apiToken)
    {
        var builder = new DaprClientBuilder()
            .UseGrpcEndpoint(Sidecar.GrpcAddress.ToString())
            .UseHttpEndpoint(Sidecar.BaseAddress.ToString());
        builder.UseDaprApiToken(apiToken ?? "");
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Sidecar.DisposeAsync();
        if (App is not null) await App.DisposeAsync();
        Resources.Dispose();
    }
}
