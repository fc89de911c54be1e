using System.Text;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Api;

/// <summary>Health, metadata and shutdown (contract §4).</summary>
public static class RuntimeEndpoints
{
    public const string RuntimeVersion = "veltrix-dev-sidecar-1.0";

    public static IEndpointRouteBuilder MapRuntimeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1.0/healthz", Health);
        endpoints.MapGet("/v1.0/healthz/outbound", () => Results.NoContent()); // components are loaded before the API listens
        endpoints.MapGet("/v1.0/metadata", Metadata);
        endpoints.MapPut("/v1.0/metadata/{key}", SetMetadataAsync);
        endpoints.MapPost("/v1.0/shutdown", Shutdown);
        return endpoints;
    }

    private static IResult Health(HttpContext context, SidecarRuntime runtime, string? appid)
    {
        var app = runtime.For(context);
        if (!string.IsNullOrEmpty(appid) && appid != app.AppId)
            return DaprErrors.Legacy(500, "ERR_HEALTH_APPID_NOT_MATCH", $"dapr app-id does not match: {appid} is not {app.AppId}");
        return app.NotReadyReason is { } reason
            ? DaprErrors.Legacy(500, "ERR_HEALTH_NOT_READY", $"dapr is not ready: [{reason}]")
            : Results.NoContent();
    }

    private static IResult Metadata(HttpContext context, SidecarRuntime runtime) =>
        Results.Json(Describe(runtime.For(context)), SidecarJson.Default.MetadataResponse);

    /// <summary>What GET /v1.0/metadata and gRPC GetMetadata both report about an app.</summary>
    public static MetadataResponse Describe(AppRuntime app)
    {
        var components = app.PubSubs.Values.Cast<Components.IComponent>().Concat(app.StateStores.Values)
            .Select(c => new MetadataComponent(c.Resource.Name, c.Resource.Type, c.Resource.Version, c.Features))
            .ToList();
        var subscriptions = app.Subscriptions.Select(s => new MetadataSubscription(
                s.Spec.PubSubName, s.Spec.Topic, s.Spec.Metadata,
                [.. s.Spec.Rules.Select(r => new MetadataRule(r.Match?.Text, r.Path)), .. s.Spec.DefaultRoute is { } d ? [new MetadataRule(null, d)] : Array.Empty<MetadataRule>()],
                s.Spec.DeadLetterTopic ?? "", s.Spec.Declarative ? "DECLARATIVE" : "PROGRAMMATIC"))
            .ToList();
        var extended = new Dictionary<string, string>(app.ExtendedMetadata) { ["daprRuntimeVersion"] = RuntimeVersion };
        var connection = app.Options.AppPort is { } port ? new AppConnectionProperties(port, "http", app.Options.AppChannelAddress, 0) : null;
        return new MetadataResponse(app.AppId, RuntimeVersion, [], components, extended, subscriptions, connection);
    }

    private static async Task<IResult> SetMetadataAsync(HttpContext context, SidecarRuntime runtime, string key)
    {
        var body = await context.Request.ReadBodyAsync(context.RequestAborted);
        runtime.For(context).ExtendedMetadata[key] = Encoding.UTF8.GetString(body);
        return Results.NoContent();
    }

    private static IResult Shutdown(HttpContext context, IHostApplicationLifetime lifetime)
    {
        // Answer first, then stop: the caller gets its 204 before the listener closes.
        context.Response.OnCompleted(() =>
        {
            lifetime.StopApplication();
            return Task.CompletedTask;
        });
        return Results.NoContent();
    }
}
