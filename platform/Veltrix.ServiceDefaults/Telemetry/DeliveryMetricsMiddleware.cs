using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Dapr;
using Veltrix.ServiceDefaults.CloudEvents;

namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// Counts deliveries to topic endpoints (those with <see cref="ITopicMetadata"/>) by what the app answered the sidecar,
/// with the sidecar's own reading of the answer: 2xx with SUCCESS or no status → delivered; RETRY, an unknown status or
/// a non-2xx other than 404 → retried; DROP or 404 → dropped. Bulk answers count per entry. Other endpoints pay one
/// metadata lookup; topic endpoints get their (small) answer copied as it is written, never re-buffered.
/// </summary>
internal sealed class DeliveryMetricsMiddleware(RequestDelegate next, EventMetrics metrics)
{
    /// <summary>A bulk answer of 1,000 entries is ~60 KiB; beyond this the answer is not inspected (counted as one delivery).</summary>
    private const int MaxCapturedBytes = 256 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var topics = context.GetEndpoint()?.Metadata.GetOrderedMetadata<ITopicMetadata>();
        if (topics is not { Count: > 0 })
        {
            await next(context);
            return;
        }

        var originalFeature = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var capture = new CapturingResponseBodyFeature(originalFeature, MaxCapturedBytes);
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        try
        {
            await next(context);
        }
        catch
        {
            // The exception handler outside answers 500: the sidecar retries.
            var failed = Resolve(context, topics);
            metrics.Retried(failed.PubsubName, failed.Name);
            throw;
        }
        finally
        {
            context.Features.Set(originalFeature);
        }

        var topic = Resolve(context, topics);
        Count(context.Response.StatusCode, capture, topic.PubsubName, topic.Name);
    }

    /// <summary>
    /// The endpoint's topic; when it subscribes to several, the one the CloudEvent names (<c>UseCloudEvents</c> forwards
    /// its <c>topic</c> as the header <c>Cloudevent.topic</c>). A dead-lettered event keeps its original topic and a bulk
    /// delivery has no such header, so an unmatched name falls back to the first subscription.
    /// </summary>
    private static ITopicMetadata Resolve(HttpContext context, IReadOnlyList<ITopicMetadata> topics)
    {
        if (topics.Count == 1) return topics[0];
        var topic = context.Request.Headers[CloudEventHeaders.Topic].ToString();
        return topics.FirstOrDefault(t => t.Name == topic) ?? topics[0];
    }

    private void Count(int status, CapturingResponseBodyFeature capture, string pubsub, string topic)
    {
        if (status == StatusCodes.Status404NotFound)
        {
            metrics.Dropped(pubsub, topic);
            return;
        }
        if (status is < 200 or > 299)
        {
            metrics.Retried(pubsub, topic);
            return;
        }
        if (!capture.Complete || capture.Captured.IsEmpty)
        {
            metrics.Delivered(pubsub, topic);
            return;
        }

        var (delivered, retried, dropped) = ReadAnswer(capture.Captured);
        metrics.Delivered(pubsub, topic, delivered);
        metrics.Retried(pubsub, topic, retried);
        metrics.Dropped(pubsub, topic, dropped);
    }

    /// <summary>Reads <c>{"status":...}</c> or <c>{"statuses":[{"status":...}]}</c>; a 2xx body that is neither is a success.</summary>
    internal static (int Delivered, int Retried, int Dropped) ReadAnswer(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (1, 0, 0);
            if (root.TryGetProperty("statuses", out var statuses) && statuses.ValueKind == JsonValueKind.Array)
            {
                int delivered = 0, retried = 0, dropped = 0;
                foreach (var entry in statuses.EnumerateArray())
                {
                    switch (Classify(entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("status", out var s) ? s : default))
                    {
                        case Outcome.Delivered: delivered++; break;
                        case Outcome.Retried: retried++; break;
                        default: dropped++; break;
                    }
                }
                return (delivered, retried, dropped);
            }
            return Classify(root.TryGetProperty("status", out var status) ? status : default) switch
            {
                Outcome.Delivered => (1, 0, 0),
                Outcome.Retried => (0, 1, 0),
                _ => (0, 0, 1),
            };
        }
        catch (JsonException)
        {
            return (1, 0, 0);
        }
    }

    private enum Outcome { Delivered, Retried, Dropped }

    /// <summary>As daprd reads it: case-insensitive; missing or empty is SUCCESS; anything unknown is retried.</summary>
    private static Outcome Classify(JsonElement status)
    {
        if (status.ValueKind != JsonValueKind.String) return status.ValueKind == JsonValueKind.Undefined || status.ValueKind == JsonValueKind.Null ? Outcome.Delivered : Outcome.Retried;
        var text = status.GetString();
        if (string.IsNullOrEmpty(text) || text.Equals("SUCCESS", StringComparison.OrdinalIgnoreCase)) return Outcome.Delivered;
        if (text.Equals("DROP", StringComparison.OrdinalIgnoreCase)) return Outcome.Dropped;
        return Outcome.Retried;
    }
}
