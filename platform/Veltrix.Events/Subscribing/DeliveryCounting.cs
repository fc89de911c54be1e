using System.Diagnostics;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Http;
using Veltrix.Events.Model;
using Veltrix.ServiceDefaults.CloudEvents;
using Veltrix.ServiceDefaults.Telemetry;

namespace Veltrix.Events.Subscribing;

/// <summary>
/// Counts each delivery to a topic endpoint once, by what the handler answered the sidecar and as the sidecar reads it:
/// SUCCESS → delivered, RETRY → retried, DROP → dropped — per entry for a bulk answer. A handler that throws (the
/// exception handler answers 500) or answers a non-2xx is retried, except 404, which daprd drops. It reads the answer
/// object before it is written, so nothing is parsed twice; it is the outermost filter, so a delivery cancelled while it
/// waits for a lane slot counts as the retry it becomes. On a consumer's route it also times the request by its lane.
/// </summary>
internal sealed class DeliveryCounting(EventMetrics metrics, Lane? lane) : IEndpointFilter
{
    private readonly string? _lane = lane?.ToString().ToLowerInvariant();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        object? answer;
        try
        {
            answer = await next(context);
        }
        catch
        {
            var (failedPubsub, failedTopic) = Topic(context.HttpContext);
            metrics.Retried(failedPubsub, failedTopic);
            if (_lane is not null) metrics.DeliveryTook(failedPubsub, failedTopic, _lane, Stopwatch.GetElapsedTime(started));
            throw;
        }

        var (pubsub, topic) = Topic(context.HttpContext);
        if (_lane is not null) metrics.DeliveryTook(pubsub, topic, _lane, Stopwatch.GetElapsedTime(started));
        switch (answer)
        {
            case IValueHttpResult { Value: TopicStatus single }:
                Count(pubsub, topic, single.Status);
                break;
            case IValueHttpResult { Value: BulkSubscribeAppResponse bulk }:
                foreach (var entry in bulk.Statuses ?? []) Count(pubsub, topic, entry.Status.ToString());
                break;
            case IStatusCodeHttpResult { StatusCode: StatusCodes.Status404NotFound }:
                metrics.Dropped(pubsub, topic);
                break;
            case IStatusCodeHttpResult { StatusCode: < 200 or > 299 }:
                metrics.Retried(pubsub, topic);
                break;
            default:
                metrics.Delivered(pubsub, topic);
                break;
        }
        return answer;
    }

    private void Count(string pubsub, string topic, string status)
    {
        if (status.Equals(nameof(BulkSubscribeAppResponseStatus.SUCCESS), StringComparison.OrdinalIgnoreCase)) metrics.Delivered(pubsub, topic);
        else if (status.Equals(nameof(BulkSubscribeAppResponseStatus.DROP), StringComparison.OrdinalIgnoreCase)) metrics.Dropped(pubsub, topic);
        else metrics.Retried(pubsub, topic);
    }

    /// <summary>
    /// The endpoint's topic; when it subscribes to several (one per configuration version), the one the CloudEvent
    /// names (<c>UseCloudEvents</c> forwards it as <c>Cloudevent.topic</c>). A dead letter keeps its original topic and a
    /// bulk delivery has no such header, so a name the endpoint does not subscribe to falls back to its first topic.
    /// </summary>
    private static (string PubSub, string Topic) Topic(HttpContext context)
    {
        var topics = context.GetEndpoint()?.Metadata.GetOrderedMetadata<ITopicMetadata>() ?? [];
        if (topics.Count == 0) return ("", "");
        var named = context.Request.Headers[CloudEventHeaders.Topic].ToString();
        var topic = topics.Count == 1 ? topics[0] : topics.FirstOrDefault(t => t.Name == named) ?? topics[0];
        return (topic.PubsubName, topic.Name);
    }
}
