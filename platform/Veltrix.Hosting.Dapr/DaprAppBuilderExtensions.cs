using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Veltrix.Hosting.Dapr;

/// <summary><c>WithDaprSidecar</c>: what `dapr run` does for an app, as Aspire wiring.</summary>
public static class DaprAppBuilderExtensions
{
    /// <summary>
    /// Serves <paramref name="app"/> through <paramref name="sidecar"/>: the sidecar gets the app's `--app` entry and an
    /// HTTP and a gRPC endpoint for it; the app gets the environment `dapr run` gives apps (the official SDK finds its
    /// sidecar through DAPR_HTTP_PORT / DAPR_GRPC_PORT and the matching *_ENDPOINT) and the run's tokens, waits for the
    /// sidecar's components, and is healthy only once the sidecar has read its subscriptions (`/v1.0/healthz` → 204).
    /// </summary>
    public static IResourceBuilder<T> WithDaprSidecar<T>(this IResourceBuilder<T> app, IResourceBuilder<ExecutableResource> sidecar, DaprApp dapr)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport
    {
        var annotation = sidecar.Resource.DaprSidecar();
        if (annotation.Kind == DaprSidecarKind.Daprd && annotation.Apps.Count > 0)
            throw new InvalidOperationException($"daprd '{sidecar.Resource.Name}' already serves '{annotation.Apps[0].AppId}': add one daprd per app");
        annotation.Apps.Add(dapr);

        sidecar.WithHttpEndpoint(port: dapr.DaprHttpPort, targetPort: dapr.DaprHttpPort, name: $"{dapr.AppId}-http", isProxied: false)
            .WithEndpoint(port: dapr.DaprGrpcPort, targetPort: dapr.DaprGrpcPort, name: $"{dapr.AppId}-grpc", scheme: "http", isProxied: false);

        var healthCheck = $"{dapr.AppId}-dapr-subscriptions";
        app.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, ct => DaprHealthChecks.AppReachableAsync(dapr, ct));

        return app
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                env["APP_ID"] = dapr.AppId;
                env["APP_PORT"] = Invariant(dapr.AppPort);
                env["APP_CHANNEL_ADDRESS"] = "127.0.0.1";
                env["APP_PROTOCOL"] = "http";
                env["DAPR_HTTP_PORT"] = Invariant(dapr.DaprHttpPort);
                env["DAPR_GRPC_PORT"] = Invariant(dapr.DaprGrpcPort);
                // Dapr clients prefer *_ENDPOINT over *_PORT: set them to the same place so one inherited from the
                // AppHost's environment cannot point the app at another sidecar.
                env["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{Invariant(dapr.DaprHttpPort)}";
                env["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{Invariant(dapr.DaprGrpcPort)}";
                if (annotation.DaprApiTokenOf(dapr) is { } daprApiToken) env["DAPR_API_TOKEN"] = daprApiToken;
                if (annotation.AppApiTokenOf(dapr) is { } appApiToken) env["APP_API_TOKEN"] = appApiToken;
            })
            .WaitFor(sidecar)
            .WithRelationship(sidecar.Resource, "DaprSidecar")
            .WithHealthCheck(healthCheck);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
