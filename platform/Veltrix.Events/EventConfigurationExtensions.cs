using Veltrix.Events.DeadLetters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using DaprClient = Dapr.Client.DaprClient;
using Veltrix.Events;
using Veltrix.Events.Publishing;
using Veltrix.Events.Routing;
using Veltrix.Events.Store;
using Veltrix.Events.Subscribing;
using Veltrix.ServiceDefaults.Telemetry;

// Beside AddServiceDefaults: Program.cs needs no extra using.
namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Puts a service on the event configuration: <c>builder.AddEventConfiguration()</c>, then after Build
/// <c>await app.LoadEventConfigurationAsync()</c>, and <c>app.MapEventSubscriptions(...)</c> where the service lists
/// its handlers by event type.
/// </summary>
public static class EventConfigurationExtensions
{
    public static TBuilder AddEventConfiguration<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<EventsOptions>().Bind(builder.Configuration.GetSection(EventsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<RoutingMetrics>();
        services.TryAddSingleton<DeadLetterStore>();
        services.TryAddSingleton<EventMetrics>();
        services.TryAddSingleton(sp => new ConfigurationStore(sp.GetRequiredService<DaprClient>(), sp.GetRequiredService<IOptions<EventsOptions>>().Value.Store));
        services.TryAddSingleton<ConfigurationSource>();
        services.TryAddSingleton<ActiveRouting>();
        services.TryAddSingleton<LaneLimiter>();
        services.TryAddSingleton(sp => DaprBulkPublishClient.Create(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton(sp => new EventPublisher(sp.GetRequiredService<DaprBulkPublishClient>(), sp.GetRequiredService<ActiveRouting>(),
            sp.GetRequiredService<RoutingMetrics>(), sp.GetRequiredService<EventMetrics>(), sp.GetRequiredService<IOptions<EventsOptions>>().Value.AppId));
        services.TryAddSingleton<ConfigurationRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<ConfigurationRefresher>());
        services.TryAddSingleton<SubscriptionReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<SubscriptionReporter>());
        return builder;
    }

    /// <summary>Loads the active version (seeding an empty store with the built-in one) and the versions to subscribe for.</summary>
    public static async Task LoadEventConfigurationAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var source = app.Services.GetRequiredService<ConfigurationSource>();
        var routing = app.Services.GetRequiredService<ActiveRouting>();
        var (active, pointer) = await source.LoadActiveAsync(cancellationToken);
        routing.Activate(active);
        routing.SubscribedVersions = await source.LoadSubscribedVersionsAsync(active, pointer, cancellationToken);
    }

    /// <summary>Maps the service's handlers to the routes and topics the configuration gives them (see <see cref="EventSubscriptionMapping"/>).</summary>
    public static IEndpointRouteBuilder MapEventSubscriptions(this WebApplication app, Action<EventHandlers> handlers)
    {
        var list = new EventHandlers();
        handlers(list);
        var options = app.Services.GetRequiredService<IOptions<EventsOptions>>().Value;
        var routing = app.Services.GetRequiredService<ActiveRouting>();
        EventSubscriptionMapping.Map(app, list, routing.SubscribedVersions, options.AppId, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Veltrix.Events"));
        return app;
    }
}
