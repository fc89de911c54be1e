using Veltrix.Events.DeadLetters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Dapr;
using Dapr.AspNetCore;
using Dapr.Client;
using Veltrix.Events.Model;
using Veltrix.Events.Publishing;
using Veltrix.Events.Routing;
using Veltrix.Events.Store;
using Veltrix.ServiceDefaults.Security;
using Veltrix.ServiceDefaults.Telemetry;

namespace Veltrix.Events.Subscribing;

/// <summary>
/// Generates the app's subscriptions from the configuration, with the SDK's own conventions (<c>WithTopic(TopicOptions)</c>,
/// <c>WithBulkSubscribe</c>), so the SDK's <c>MapSubscribeHandler</c> serves them in <c>/dapr/subscribe</c>: for each
/// event type it consumes, its route subscribed to the topic of every subscribed version (dead-letter topic, raw payload,
/// bulk settings) and run by the typed handler inside its lane and max concurrency (Veltrix's endpoint filter); for each
/// dead-letter topic it owns, a parking endpoint; and the change event that makes it follow activations at once. Every
/// one of these endpoints requires the sidecar's app token when <c>APP_API_TOKEN</c> is set.
/// </summary>
public static partial class EventSubscriptionMapping
{
    public const string ChangeTopic = "veltrix.configuration";
    public const string ChangeRoute = "/veltrix/configuration-activated";

    public static void Map(IEndpointRouteBuilder app, EventHandlers handlers, IReadOnlyList<RoutingTable> versions, string appId, ILogger logger)
    {
        var subscribed = new List<SubscribedTopic>();
        var ownedTypes = new List<string>();
        foreach (var type in versions.SelectMany(v => v.Configuration.Events).Select(e => e.Type).Distinct())
        {
            var mine = versions.Select(v => v.Find(type)).OfType<EventDefinition>()
                .Select(d => (Definition: d, Consumer: d.Consumers.FirstOrDefault(c => c.App == appId))).Where(x => x.Consumer is not null).ToList();
            if (mine.Count > 0)
            {
                if (!handlers.ByType.TryGetValue(type, out var handler)) LogNoHandler(logger, appId, type);
                else subscribed.AddRange(MapConsumer(app, type, handler, mine!, logger));
            }
            var owned = versions.Select(v => v.Find(type)).OfType<EventDefinition>().Where(d => d.DeadLetter?.Owner == appId)
                .Select(d => (d.PubSub, d.DeadLetter!.Topic)).Distinct().ToList();
            if (owned.Count > 0)
            {
                MapDeadLetters(app, type, owned);
                ownedTypes.Add(type);
            }
        }
        if (ownedTypes.Count > 0) DeadLetterApi.Map(app, ownedTypes);
        foreach (var unused in handlers.ByType.Keys.Where(t => subscribed.All(s => s.Type != t))) LogUnusedHandler(logger, appId, unused);

        var pubsubs = versions.SelectMany(v => v.Configuration.Events).Select(e => e.PubSub).Distinct().ToList();
        // Idempotent: a repeated change event only makes the refresher read the active pointer once more.
        var change = app.MapPost(ChangeRoute, (ConfigurationRefresher refresher) =>
        {
            refresher.RefreshNow();
            return TopicStatus.Answer(BulkSubscribeAppResponseStatus.SUCCESS);
        }).RequireDaprAppToken(app.ServiceProvider).AddEndpointFilter(Counting(app));
        foreach (var pubsub in pubsubs) change.WithTopic(pubsub, ChangeTopic);

        var report = new SubscriptionReport(appId, subscribed, [.. handlers.ByType.Keys], DateTimeOffset.UtcNow);
        app.ServiceProvider.GetRequiredService<SubscriptionReporter>().Report = report;
    }

    private static List<SubscribedTopic> MapConsumer(IEndpointRouteBuilder app, string type, EventHandlerRegistration handler,
        List<(EventDefinition Definition, EventConsumer Consumer)> mine, ILogger logger)
    {
        var subscribed = new List<SubscribedTopic>();
        var ownedTypes = new List<string>();
        var newest = mine[^1];
        var metrics = app.ServiceProvider.GetRequiredService<RoutingMetrics>();
        foreach (var route in mine.GroupBy(m => m.Consumer.Route))
        {
            var deliver = CreateDelivery(type, handler, metrics, logger);
            // Counting first: the outermost filter sees every answer, the lane filter's cancellations included.
            var endpoint = app.MapPost(route.Key, deliver).RequireDaprAppToken(app.ServiceProvider).AddEndpointFilter(Counting(app, route.Last().Definition.Lane));
            var consumer = route.Last().Consumer;
            foreach (var (pubsub, topic, dead) in route.Select(m => (m.Definition.PubSub, m.Definition.Topic, m.Definition.DeadLetter?.Topic)).Distinct())
            {
                endpoint.WithTopic(new TopicOptions { PubsubName = pubsub, Name = topic, DeadLetterTopic = dead!, EnableRawPayload = newest.Definition.RawPayload });
                if (consumer.Bulk is { } bulk)
                    endpoint.WithBulkSubscribe(new BulkSubscribeTopicOptions { TopicName = topic, MaxMessagesCount = bulk.MaxMessages, MaxAwaitDurationMs = bulk.MaxAwaitMs });
                subscribed.Add(new SubscribedTopic(type, pubsub, topic));
            }
            endpoint.AddEndpointFilter(new DeliveryFilter(route.Last().Definition.Lane, consumer.MaxConcurrency));
        }
        return subscribed;
    }

    /// <summary>The route's handler: a minimal-API delegate, so the lane filter runs around it.</summary>
    private static Func<HttpContext, Task<IResult>> CreateDelivery(string type, EventHandlerRegistration handler, RoutingMetrics metrics, ILogger logger)
    {
        var delivery = Activator.CreateInstance(typeof(EventDelivery<>).MakeGenericType(handler.DataType), type, handler.Handler, metrics, logger)!;
        var method = delivery.GetType().GetMethod(nameof(EventDelivery<object>.HandleAsync))!;
        return method.CreateDelegate<Func<HttpContext, Task<IResult>>>(delivery);
    }

    private static void MapDeadLetters(IEndpointRouteBuilder app, string type, List<(string PubSub, string Topic)> topics)
    {
        var endpoint = app.MapPost($"/veltrix/dead-letters/{type}", (HttpContext context, DeadLetterStore store, RoutingMetrics metrics, TimeProvider time, ILoggerFactory loggers) =>
            DeadLetterParking.ParkAsync(type, context, store, metrics, time, loggers.CreateLogger("Veltrix.Events.DeadLetters")));
        endpoint.RequireDaprAppToken(app.ServiceProvider).AddEndpointFilter(Counting(app));
        foreach (var (pubsub, topic) in topics) endpoint.WithTopic(pubsub, topic);
    }

    /// <summary>Every topic endpoint Veltrix maps counts its deliveries (delivered, retried, dropped) the same way.</summary>
    private static DeliveryCounting Counting(IEndpointRouteBuilder app, Lane? lane = null) => new(app.ServiceProvider.GetRequiredService<EventMetrics>(), lane);

    [LoggerMessage(Level = LogLevel.Error, Message = "{AppId} is a consumer of {Type} in the event configuration but has no handler for it; its events are not subscribed to")]
    private static partial void LogNoHandler(ILogger logger, string appId, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "{AppId} has a handler for {Type}, which no subscribed configuration version routes to it")]
    private static partial void LogUnusedHandler(ILogger logger, string appId, string type);
}
