using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Veltrix.Resources;
using Veltrix.Resources.Diagnostics;
using Veltrix.Sidecar.Api;
using Veltrix.Sidecar.Components;
using Veltrix.Sidecar.Grpc;
using Veltrix.Sidecar.Resiliency;
using Veltrix.Sidecar.Runtime;
using Veltrix.Sidecar.Subscriptions;
using Veltrix.Sidecar.Workflows;

namespace Veltrix.Sidecar.Hosting;

/// <summary>
/// Start-up in the order that makes failures clear: resources are checked (every problem reported at once), then
/// components initialised, then one HTTP port (and, when given, one h2c gRPC port) per app opened; any failure ends the process with a VX message and
/// a non-zero exit code, never a stack trace.
/// </summary>
public static class SidecarHost
{
    public static async Task<int> RunAsync(SidecarOptions options)
    {
        var resources = ResourceLoader.Load(options.ResourcesPaths, ComponentRegistry.Support);
        foreach (var warning in resources.Diagnostics.Where(d => !d.IsError)) Console.Error.WriteLine(warning);
        if (resources.HasErrors)
        {
            var errors = resources.Errors.ToList();
            Console.Error.WriteLine($"the dev sidecar cannot start: {errors.Count} problem(s) in {string.Join(", ", options.ResourcesPaths)}");
            foreach (var error in errors) Console.Error.WriteLine(error);
            return 1;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None); // start-up failures are reported below, without a stack trace
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Host.ConfigureHostOptions(o => o.ShutdownTimeout = options.GracefulShutdown);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxBodySize;
            foreach (var app in options.Apps)
            {
                kestrel.Listen(IPAddress.Loopback, app.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
                // gRPC without TLS has no ALPN to negotiate HTTP/2, so its port speaks HTTP/2 only (h2c prior knowledge), as the SDK expects.
                if (app.GrpcPort is { } grpc) kestrel.Listen(IPAddress.Loopback, grpc, listen => listen.Protocols = HttpProtocols.Http2);
            }
            kestrel.ListenForMetrics(options);
        });

        var time = TimeProvider.System;
        using var loggers = LoggerFactory.Create(l => l.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        }));
        SidecarRuntime runtime;
        IReadOnlyList<IComponent> components;
        try
        {
            (runtime, components) = await ComponentLoader.LoadAsync(resources, options, new ComponentContext(loggers, time, options), CancellationToken.None);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"the dev sidecar cannot start: {e.Message}");
            return 1;
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(resources);
        builder.Services.AddSingleton(runtime);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<Operations.Publishing>();
        builder.Services.AddSingleton(new PolicyResolver(resources.Resiliencies, time));
        builder.Services.AddSingleton<SubscriptionDiscovery>();
        builder.Services.AddSingleton<DaprGrpcApi>();
        builder.Services.AddSingleton(options.Workflows);
        builder.Services.AddSingleton<WorkflowEngines>();
        builder.Services.AddSingleton<TaskHubSidecarApi>();
        builder.Services.AddHttpClient(nameof(InvocationEndpoints), http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), AllowAutoRedirect = false, UseCookies = false });
        builder.Services.AddGrpc(grpc =>
        {
            // daprd's own limit for a request is --max-body-size; larger messages are ResourceExhausted.
            grpc.MaxReceiveMessageSize = (int)Math.Min(options.MaxBodySize, int.MaxValue);
            grpc.MaxSendMessageSize = null;
        });
        builder.Services.AddHostedService<SubscriptionStartup>();
        builder.Services.AddHostedService<WorkflowRecovery>();
        builder.AddSidecarTelemetry(options);

        var web = builder.Build();
        web.UseMetricsListener(options);
        web.UseMiddleware<BadRequestMiddleware>();
        web.UseMiddleware<ApiTokenMiddleware>();
        web.UseMiddleware<GrpcRequestLimit>();
        web.MapPublishApi();
        web.MapStateApi();
        web.MapRuntimeApi();
        web.MapInvocationApi();
        web.MapGrpcService(services => services.GetRequiredService<DaprGrpcApi>().Definition());
        web.MapGrpcService(services => services.GetRequiredService<TaskHubSidecarApi>().Definition());
        web.MapWorkflowApi();

        try
        {
            await web.StartAsync();
        }
        catch (IOException e) when (e.InnerException is AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine(PortInUse(options, e.Message));
            foreach (var component in components) await component.DisposeAsync();
            return 1;
        }

        var log = web.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Veltrix.Sidecar");
        foreach (var app in options.Apps)
            log.LogInformation("dev sidecar serving app '{App}' on http://127.0.0.1:{Port}{GrpcPort}{AppPort} with components: {Components}", app.AppId, app.HttpPort,
                app.GrpcPort is { } grpc ? $" (gRPC on 127.0.0.1:{grpc})" : "",
                app.AppPort is { } port ? $" (app on {app.AppChannelAddress}:{port})" : "",
                string.Join(", ", components.Where(c => c.Resource.AppliesTo(app.AppId)).Select(c => $"{c.Resource.Name} ({c.Resource.Type})")));

        await web.WaitForShutdownAsync();
        foreach (var component in components) await component.DisposeAsync();
        return 0;
    }

    /// <summary>Names the kind of port Kestrel could not bind (its message carries the address), so the fix is obvious.</summary>
    private static string PortInUse(SidecarOptions options, string message)
    {
        if (options.MetricsPort is { } metrics && System.Text.RegularExpressions.Regex.IsMatch(message, $@":{metrics}(?!\d)", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
            return $"error {ErrorCodes.PortInUse}: the metrics port is already in use (port {metrics}: {message})\n  help: stop the process on that port (ss -ltnp) or pass another --metrics-port";
        var grpc = options.Apps.FirstOrDefault(a => a.GrpcPort is { } port
            && System.Text.RegularExpressions.Regex.IsMatch(message, $@":{port}(?!\d)", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)));
        return grpc is not null
            ? $"error {ErrorCodes.PortInUse}: a Dapr gRPC port is already in use (port {grpc.GrpcPort} of app {grpc.AppId}: {message})\n  help: stop the process on that port (ss -ltnp) or pass another --dapr-grpc-port (dapr-grpc-port= in --app)"
            : $"error {ErrorCodes.PortInUse}: a Dapr HTTP port is already in use ({message})\n  help: stop the process on that port (ss -ltnp) or pass another --dapr-http-port";
    }
}
