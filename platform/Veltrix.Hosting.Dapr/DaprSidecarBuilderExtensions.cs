using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Veltrix.Hosting.Dapr;

/// <summary>
/// Sidecars as Aspire executable resources. The shape follows the community Dapr integration (a sidecar resource per
/// app, attached with <c>WithDaprSidecar</c>), except that the dev sidecar is ONE process serving every app — so it is
/// one resource with an HTTP and a gRPC endpoint per app, and each app's <c>WithDaprSidecar</c> adds itself to it.
/// </summary>
public static class DaprSidecarBuilderExtensions
{
    /// <summary>
    /// The Veltrix dev sidecar: `dotnet Veltrix.Sidecar.dll --app id=…,app-port=…,dapr-http-port=…,dapr-grpc-port=… …
    /// --resources-path …`. Healthy once every app's components are loaded (`/v1.0/healthz/outbound` → 204).
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddDevSidecar(this IDistributedApplicationBuilder builder, string name,
        string sidecarAssembly, string workingDirectory)
    {
        var annotation = new DaprSidecarAnnotation(DaprSidecarKind.DevSidecar);
        return builder.AddSidecar(name, "dotnet", workingDirectory, annotation, args =>
        {
            args.Add(sidecarAssembly);
            foreach (var app in annotation.Apps)
            {
                args.Add("--app");
                args.Add(string.Create(CultureInfo.InvariantCulture,
                    $"id={app.AppId},app-port={app.AppPort},dapr-http-port={app.DaprHttpPort},dapr-grpc-port={app.DaprGrpcPort}"));
            }
        });
    }

    /// <summary>
    /// Dapr's daprd for one app: `daprd --app-id … --app-port … --dapr-http-port … --dapr-grpc-port … --resources-path …`.
    /// Metrics are off: daprd's default metrics port (9090) would collide between the apps of one run.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddDaprd(this IDistributedApplicationBuilder builder, string name,
        string daprdPath, string workingDirectory)
    {
        var annotation = new DaprSidecarAnnotation(DaprSidecarKind.Daprd);
        return builder.AddSidecar(name, daprdPath, workingDirectory, annotation, args =>
        {
            var app = annotation.Apps.Single();
            foreach (var arg in (string[])
                     [
                         "--app-id", app.AppId, "--app-port", Invariant(app.AppPort), "--dapr-http-port", Invariant(app.DaprHttpPort),
                         "--dapr-grpc-port", Invariant(app.DaprGrpcPort), "--app-channel-address", "127.0.0.1", "--enable-metrics=false",
                     ])
                args.Add(arg);
        });
    }

    /// <summary>The folders of Dapr resources (components, resiliency, …) the sidecar loads, in order.</summary>
    public static IResourceBuilder<ExecutableResource> WithResourcesPaths(this IResourceBuilder<ExecutableResource> sidecar, IEnumerable<string> paths)
    {
        sidecar.Resource.DaprSidecar().ResourcesPaths.AddRange(paths);
        return sidecar;
    }

    /// <summary>
    /// Shared API tokens: the sidecar requires DAPR_API_TOKEN from its apps and sends APP_API_TOKEN to them; each app
    /// attached with <c>WithDaprSidecar</c> gets both, unless its <see cref="DaprApp"/> carries its own.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> WithDaprApiTokens(this IResourceBuilder<ExecutableResource> sidecar, string? daprApiToken, string? appApiToken)
    {
        var annotation = sidecar.Resource.DaprSidecar();
        annotation.DaprApiToken = daprApiToken;
        annotation.AppApiToken = appApiToken;
        return sidecar;
    }

    internal static DaprSidecarAnnotation DaprSidecar(this IResource resource) =>
        resource.Annotations.OfType<DaprSidecarAnnotation>().SingleOrDefault()
        ?? throw new InvalidOperationException($"resource '{resource.Name}' is not a Dapr sidecar: add it with AddDevSidecar or AddDaprd");

    private static IResourceBuilder<ExecutableResource> AddSidecar(this IDistributedApplicationBuilder builder, string name, string command,
        string workingDirectory, DaprSidecarAnnotation annotation, Action<IList<object>> programArgs)
    {
        var healthCheck = $"{name}-components";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, ct => DaprHealthChecks.ComponentsLoadedAsync(annotation.Apps, ct));
        return builder.AddExecutable(name, command, workingDirectory)
            .WithAnnotation(annotation)
            .WithArgs(context =>
            {
                programArgs(context.Args);
                foreach (var path in annotation.ResourcesPaths)
                {
                    context.Args.Add("--resources-path");
                    context.Args.Add(path);
                }
            })
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                if (annotation.Kind == DaprSidecarKind.Daprd)
                {
                    // daprd serves one app: its tokens are the app's.
                    var app = annotation.Apps.Single();
                    if (annotation.DaprApiTokenOf(app) is { } daprApiToken) env["DAPR_API_TOKEN"] = daprApiToken;
                    if (annotation.AppApiTokenOf(app) is { } appApiToken) env["APP_API_TOKEN"] = appApiToken;
                    return;
                }
                if (annotation.DaprApiToken is { } shared) env["DAPR_API_TOKEN"] = shared;
                if (annotation.AppApiToken is { } sharedApp) env["APP_API_TOKEN"] = sharedApp;
                foreach (var app in annotation.Apps)
                {
                    if (app.DaprApiToken is { } own) env[DevSidecarTokenVariable.Name("DAPR_API_TOKEN", app.AppId)] = own;
                    if (app.AppApiToken is { } ownApp) env[DevSidecarTokenVariable.Name("APP_API_TOKEN", app.AppId)] = ownApp;
                }
            })
            // Traces and metrics to the dashboard like the apps' (the dev sidecar exports when OTEL_EXPORTER_OTLP_ENDPOINT is set).
            .WithOtlpExporter()
            .WithHealthCheck(healthCheck);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
