using CommunityToolkit.HighPerformance.Buffers;
using System.Text.Json;
using Veltrix.Resources.Subscriptions;
using Veltrix.Sidecar.Api;
using Veltrix.Sidecar.Resiliency;

namespace Veltrix.Sidecar.Delivery;

/// <summary>
/// Bulk subscribe delivery, as daprd does it without native broker support (contract §2.4): a batch's messages are
/// grouped by route, each group goes to the app in one POST, and every entry gets its own outcome. Entries that
/// ask for RETRY are sent again under the inbound policy; the rest are settled at once.
/// </summary>
public sealed class BulkDelivery(SubscriptionResource subscription, AppChannel channel, InboundPolicy policy)
{
    public async Task<DeliveryOutcome[]> DeliverAsync(IReadOnlyList<RoutedMessage> messages, CancellationToken cancellationToken)
    {
        var outcomes = new DeliveryOutcome[messages.Count];
        foreach (var group in Enumerable.Range(0, messages.Count).GroupBy(i => messages[i].Path))
            await DeliverGroupAsync(group.Key, group.ToList(), messages, outcomes, cancellationToken);
        return outcomes;
    }

    private async Task DeliverGroupAsync(string path, List<int> indexes, IReadOnlyList<RoutedMessage> messages, DeliveryOutcome[] outcomes,
        CancellationToken cancellationToken)
    {
        // Entry IDs are the message's position in the batch: unique, and cheap to map back.
        var remaining = indexes.ToHashSet();
        AppResponse last = new(null, [], "not attempted");
        await policy.ExecuteAsync(async token =>
        {
            using (var request = Request(remaining, messages))
                last = await channel.SendAsync(HttpMethod.Post, path, request.WrittenMemory, "application/json",
                    [new("pubsubname", subscription.PubSubName)], token);
            foreach (var (index, outcome) in Interpret(last, remaining))
            {
                if (outcome.Status == DeliveryStatus.Retry) continue;
                outcomes[index] = outcome;
                remaining.Remove(index);
            }
            return remaining.Count;
        }, left => left > 0 ? AttemptVerdict.Retry(last.IsSuccess ? null : last.Status) : AttemptVerdict.Done,
        () =>
        {
            last = new AppResponse(null, [], $"circuit breaker '{policy.Breaker?.Name}' is open");
            return remaining.Count;
        }, cancellationToken);
        foreach (var index in remaining)
            outcomes[index] = new DeliveryOutcome(DeliveryStatus.Retry, last.Status, $"bulk delivery kept failing: {last.Failure ?? $"the app answered {last.Status}"}");
    }

    /// <summary>
    /// The bulk request, written straight from the broker bytes (each event embedded as-is, not re-serialised) into a
    /// pooled buffer: a few hundred events make a request of a few hundred kilobytes, and a fresh array that size
    /// (and each one it grew through) would be a large-object-heap allocation per delivery, each bringing the next
    /// full collection closer. The caller returns the buffer once the call is over.
    /// </summary>
    private ArrayPoolBufferWriter<byte> Request(IEnumerable<int> indexes, IReadOnlyList<RoutedMessage> messages)
    {
        var buffer = new ArrayPoolBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", Guid.NewGuid().ToString());
            writer.WriteString("type", "com.dapr.event.sent.bulk");
            writer.WriteString("topic", subscription.Topic);
            writer.WriteString("pubsubname", subscription.PubSubName);
            writer.WriteStartObject("metadata");
            writer.WriteEndObject();
            writer.WriteStartArray("entries");
            foreach (var index in indexes)
            {
                var message = messages[index];
                writer.WriteStartObject();
                writer.WriteString("entryId", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (subscription.RawPayload)
                {
                    writer.WriteBase64String("event", message.Original.Span);
                    writer.WriteString("contentType", "application/octet-stream");
                }
                else
                {
                    writer.WritePropertyName("event");
                    writer.WriteRawValue(message.Body.Span, skipInputValidation: true); // the router checked it is one JSON object
                    writer.WriteString("contentType", "application/cloudevents+json");
                }
                writer.WriteStartObject("metadata");
                foreach (var (key, value) in message.Metadata) writer.WriteString(key, value);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer;
    }

    /// <summary>Missing, empty or unknown statuses mean RETRY; 404 discards all; any other failure retries all.</summary>
    private static IEnumerable<(int Index, DeliveryOutcome Outcome)> Interpret(AppResponse response, IReadOnlyCollection<int> indexes)
    {
        if (response.Status == 404)
            return indexes.Select(i => (i, new DeliveryOutcome(DeliveryStatus.Discard, 404, "the app answered 404 to the bulk delivery"))).ToList();
        if (!response.IsSuccess)
            return indexes.Select(i => (i, new DeliveryOutcome(DeliveryStatus.Retry, response.Status, response.Failure ?? $"the app answered {response.Status}"))).ToList();
        BulkDeliveryResponse? answer = null;
        try
        {
            answer = JsonSerializer.Deserialize(response.Body, SidecarJson.Default.BulkDeliveryResponse);
        }
        catch (JsonException)
        {
            // every entry retries
        }
        var statuses = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var status in answer?.Statuses ?? [])
            if (status.EntryId is not null) statuses[status.EntryId] = status.Status;
        return indexes.Select(i => (i, (statuses.TryGetValue(i.ToString(System.Globalization.CultureInfo.InvariantCulture), out var status) ? status : null) switch
        {
            "SUCCESS" => new DeliveryOutcome(DeliveryStatus.Success, response.Status, ""),
            "DROP" => new DeliveryOutcome(DeliveryStatus.Drop, response.Status, "the app answered DROP for the entry"),
            var other => new DeliveryOutcome(DeliveryStatus.Retry, null, $"the app answered '{other ?? "nothing"}' for the entry"),
        })).ToList();
    }
}
