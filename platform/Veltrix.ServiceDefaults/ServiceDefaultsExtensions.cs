using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Veltrix.ServiceDefaults;
using Veltrix.ServiceDefaults.Sidecar;
using Dapr;
using Veltrix.ServiceDefaults.CloudEvents;
using Veltrix.ServiceDefaults.Security;
using Veltrix.ServiceDefaults.Health;
using Veltrix.ServiceDefaults.Limits;
using Veltrix.ServiceDefaults.Telemetry;

// Where the host builders live, as with .NET Aspire's ServiceDefaults: Program.cs needs no extra using.
namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The two calls every Veltrix service makes: <c>builder.AddServiceDefaults()</c> before its own services and
/// <c>app.MapDefaultEndpoints()</c> before its own endpoints. Together they give the official Dapr client, the app token, health probes,
/// problem+json errors with VX codes, request limits, OpenTelemetry, <c>/metrics</c> and event counters.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>How long <c>/readyz</c> waits for the sidecar before calling it not ready.</summary>
    public static readonly TimeSpan SidecarProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Registers the SDK's <c>AddDaprClient()</c> (JSON as the app's own HTTP JSON options), the SDK's app-token
    /// authentication (<c>APP_API_TOKEN</c>), the event counters, health checks (<c>live</c>: the process; <c>ready</c>: the
    /// sidecar), problem details, Kestrel limits from <c>Veltrix:MaxRequestBodyBytes</c> (validated at start-up), and
    /// OpenTelemetry traces, metrics and logs (OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, Prometheus at
    /// <c>/metrics</c>). Calling it twice does nothing more.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(ServiceDefaultsMarker))) return builder;
        services.AddSingleton<ServiceDefaultsMarker>();

        // Events are counted where they happen, once: by Veltrix.Events' publisher on the way out, by its delivery
        // handler on the way in — the one place that knows each entry's answer.
        services.AddMetrics();
        services.TryAddSingleton<EventMetrics>();
        // The SDK finds the sidecar itself (DAPR_GRPC_ENDPOINT/DAPR_GRPC_PORT, DAPR_HTTP_ENDPOINT/DAPR_HTTP_PORT,
        // DAPR_API_TOKEN). State is (de)serialized with the app's HTTP JSON options, so the source-generated contexts a
        // service registers with ConfigureHttpJsonOptions serve its state as well as its API. The channel reconnects to a
        // restarted sidecar within a second (SidecarGrpcChannel says why).
        services.AddDaprClient((sp, client) => client
            .UseJsonSerializationOptions(sp.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions)
            .UseGrpcChannelOptions(SidecarGrpcChannel.Options()));
        services.AddDaprAppToken(builder.Configuration);

        // Liveness has no dependency: a sidecar outage must make the app not ready, never restart it.
        services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy("the process runs"), [HealthTags.Live])
            .AddCheck<DaprSidecarHealthCheck>(DaprSidecarHealthCheck.Name, HealthStatus.Unhealthy, [HealthTags.Ready], SidecarProbeTimeout);

        services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDetailsDefaults.Customize);
        services.AddExceptionHandler<ServiceExceptionHandler>();
        // Outside Development minimal APIs answer a bad body with a bare 400 and log the reason; throwing instead lets the
        // exception handler put the reason (JSON path, line) into the problem+json the client reads.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        services.AddOptions<ServiceLimitsOptions>()
            .Bind(builder.Configuration.GetSection(ServiceLimitsOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceLimitsOptions>, ServiceLimitsOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<KestrelServerOptions>, KestrelLimitsSetup>());

        builder.AddVeltrixOpenTelemetry();
        return builder;
    }

    /// <summary>
    /// Adds, in this order, the exception handler and status-code pages (every error becomes problem+json with a VX code),
    /// the VX answers for an oversized URL or headers and the early 413 for oversized bodies, authentication and authorization (the sidecar's app token, checked before any
    /// body is read), the operator token of operator endpoints (likewise before the body) and, on topic endpoints only, the SDK's CloudEvent unwrapping (envelope attributes
    /// forwarded as <c>Cloudevent.*</c> headers); then maps <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> (OpenTelemetry's Prometheus exporter) and the SDK's
    /// <c>/dapr/subscribe</c>. Call it before mapping the service's endpoints.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<ServiceDefaultsMarker>() is null)
            throw new InvalidOperationException("MapDefaultEndpoints needs builder.AddServiceDefaults() to have been called before builder.Build().");

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestHeadLimitMiddleware>();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<OperatorTokenMiddleware>();
        // Only deliveries are CloudEvents: on a public or operator endpoint an application/cloudevents+json body is a
        // client's body like any other (the JSON binder refuses its media type), never an envelope to unwrap.
        app.UseWhen(IsTopicEndpoint, deliveries => deliveries.UseCloudEvents(new CloudEventsMiddlewareOptions { ForwardCloudEventPropertiesAsHeaders = true }));
        // The JSON binder counts "+json" as JSON, so an envelope would otherwise bind as the request itself (its fields empty).
        app.UseWhen(context => !IsTopicEndpoint(context) && IsCloudEvent(context.Request), others => others.Run(RefuseCloudEventAsync));

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = r => r.Tags.Contains(HealthTags.Live) })
            .WithDisplayName("Liveness");
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).WithDisplayName("Readiness");

        // As before the exporter, no token: Prometheus scrapes it like daprd's own metrics port. It holds counts, never data.
        app.MapPrometheusScrapingEndpoint(TelemetrySources.MetricsPath).WithDisplayName("Prometheus metrics").ExcludeFromDescription();
        app.MapSubscribeHandler().RequireDaprAppToken(app.Services);
        return app;
    }

    private static bool IsTopicEndpoint(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<ITopicMetadata>() is not null;

    private static bool IsCloudEvent(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/cloudevents", StringComparison.OrdinalIgnoreCase);

    private static Task RefuseCloudEventAsync(HttpContext context) =>
        Problems.Create(StatusCodes.Status415UnsupportedMediaType, ServiceErrorCodes.UnsupportedMediaType, "Unsupported media type",
            $"{context.Request.Method} {context.Request.Path} is not a subscription route and does not read CloudEvents ('{context.Request.ContentType}'); send the request itself as application/json")
            .ExecuteAsync(context);

    /// <summary>Makes AddServiceDefaults idempotent and lets MapDefaultEndpoints check it ran.</summary>
    private sealed class ServiceDefaultsMarker;
}
