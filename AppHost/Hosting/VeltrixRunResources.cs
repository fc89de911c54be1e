using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Veltrix.AppHost.Run;
using Veltrix.Hosting.Dapr;

namespace Veltrix.AppHost.Hosting;

/// <summary>dapr.yaml as Aspire resources: the sidecar(s), one resource per app wired to its sidecar, and the run's watchers.</summary>
internal static class VeltrixRunResources
{
    public static IDistributedApplicationBuilder AddVeltrixRun(this IDistributedApplicationBuilder builder, PreparedRun run)
    {
        var plan = run.Plan;
        PrivateFiles.CreateDirectory(plan.LogDir);
        builder.Services.AddSingleton(run);
        builder.Services.AddSingleton<ResourceLogs>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ResourceLogs>());
        // First of all hosted services: Aspire's orchestrator does not finish starting while a resource others WaitFor
        // has failed (a sidecar refusing its components), and the monitor is what turns that into VX4006 and a stop.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, RunMonitor>());

        // The dev sidecar is ONE process for every app (one resource); daprd is one process per app.
        var devSidecar = run.Daprd is null
            ? builder.AddDevSidecar("sidecar", plan.SidecarAssembly, plan.RepositoryRoot)
                .WithResourcesPaths(plan.ResourcesPaths)
            : null;

        var deadLetterOwners = DeadLetterOwners.Read(plan.RepositoryRoot);
        foreach (var app in plan.Apps)
        {
            var sidecar = devSidecar ?? builder.AddDaprd($"{app.AppId}-daprd", run.Daprd!, plan.RepositoryRoot)
                .WithResourcesPaths(plan.ResourcesPaths);
            // Each app's own tokens, as each daprd has its own: one app's DAPR_API_TOKEN opens no other app's ports.
            var tokens = run.Tokens.Apps[app.AppId];
            var dapr = new DaprApp(app.AppId, app.AppPort, app.DaprHttpPort, app.DaprGrpcPort) { DaprApiToken = tokens.DaprApiToken, AppApiToken = tokens.AppApiToken };
            if (app.Project is { } project)
            {
                // AddProject as Aspire does it, with metadata that says the project is built (see BuiltProject).
                // WithProjectDefaults is marked for evaluation (ASPIREPROJECTS001); it is the public way to get
                // AddProject's defaults onto a resource whose metadata is not a generated Projects.* type.
#pragma warning disable ASPIREPROJECTS001
                var resource = builder.AddResource(new ProjectResource(app.AppId))
                    .WithAnnotation<IProjectMetadata>(new BuiltProject(project))
                    .WithProjectDefaults(new ProjectResourceOptions { ExcludeLaunchProfile = true })
#pragma warning restore ASPIREPROJECTS001
                    .WithApp(app, run)
                    .WithDaprSidecar(sidecar, dapr);
                if (app.AppId == "control") resource.WithConfigurationCommands(app, run.Tokens.OperatorToken);
                if (deadLetterOwners.Contains(app.AppId)) resource.WithDeadLetterCommands(app, run.Tokens.OperatorToken);
            }
            else
            {
                // Any other command of dapr.yaml runs as written; it exports telemetry only if it reads OTEL_* itself.
                builder.AddExecutable(app.AppId, app.Command[0], app.AppDirPath, [.. app.Command.Skip(1)])
                    .WithEnvironment("ASPNETCORE_URLS", app.Url.TrimEnd('/'))
                    .WithOtlpExporter()
                    .WithApp(app, run)
                    .WithDaprSidecar(sidecar, dapr);
            }
        }
        return builder;
    }

    /// <summary>What every app gets whatever runs it: its port as an endpoint, the /healthz check, the operator token, dapr.yaml's env.</summary>
    private static IResourceBuilder<T> WithApp<T>(this IResourceBuilder<T> resource, PlannedApp app, PreparedRun run)
        where T : IResourceWithEnvironment, IResourceWithEndpoints
    {
        resource.WithHttpEndpoint(port: app.AppPort, targetPort: app.AppPort, name: "http", isProxied: false)
            // 127.0.0.1, not Aspire's default localhost: the sidecar calls the app there (APP_CHANNEL_ADDRESS), and
            // `localhost` may resolve to ::1 alone.
            .WithEndpoint("http", endpoint => endpoint.TargetHost = "127.0.0.1")
            .WithHttpHealthCheck("/healthz")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
            .WithEnvironment("DOTNET_NOLOGO", "1")
            .WithEnvironment("VELTRIX_OPERATOR_TOKEN", run.Tokens.OperatorToken);
        // common.env, then the app's own env: applied last, so dapr.yaml can override anything above.
        foreach (var (key, value) in app.TemplateEnv) resource.WithEnvironment(key, value);
        return resource;
    }

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
