using System.Text.Json;
using System.Threading.Channels;
using Veltrix.Resources.Subscriptions;
using Veltrix.Sidecar.Api;
using Veltrix.Sidecar.Resiliency;

namespace Veltrix.Sidecar.Delivery;

/// <summary>
/// Bulk subscribe without native broker support, as daprd does it: messages collect until `maxMessagesCount` or
/// `maxAwaitDurationMs`, then each route's share goes to the app in one POST, and every entry gets its own outcome.
/// Entries that ask for RETRY are retried by the inbound policy; the rest are settled at once.
/// </summary>
public sealed class BulkBatcher : IAsyncDisposable
{
    private const int ConcurrentBatches = 4;
    private readonly Channel<(RoutedMessage Message, TaskCompletionSource<DeliveryOutcome> Result)> _pending = Channel.CreateUnbounded<(RoutedMessage, TaskCompletionSource<DeliveryOutcome>)>();
    private readonly SemaphoreSlim _batches = new(ConcurrentBatches, ConcurrentBatches);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SubscriptionResource _subscription;
    private readonly BulkSubscribeSpec _spec;
    private readonly AppChannel _channel;
    private readonly InboundPolicy _policy;
    private readonly TimeProvider _time;
    private readonly Task _loop;

    public BulkBatcher(SubscriptionResource subscription, AppChannel channel, InboundPolicy policy, TimeProvider time)
    {
        _subscription = subscription;
        _spec = subscription.BulkSubscribe!;
        _channel = channel;
        _policy = policy;
        _time = time;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>How many messages the component should have in flight so that batches can fill.</summary>
    public int WantedConcurrency => _spec.MaxMessagesCount * ConcurrentBatches;

    public Task<DeliveryOutcome> SubmitAsync(RoutedMessage message)
    {
        var result = new TaskCompletionSource<DeliveryOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite((message, result))) result.SetResult(new DeliveryOutcome(DeliveryStatus.Retry, null, "the subscription is stopping"));
        return result.Task;
    }

    private async Task LoopAsync()
    {
        var reader = _pending.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                var batch = new List<(RoutedMessage Message, TaskCompletionSource<DeliveryOutcome> Result)>(_spec.MaxMessagesCount);
                using (var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(_spec.MaxAwaitDurationMs), _time))
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, _stopping.Token))
                {
                    while (batch.Count < _spec.MaxMessagesCount)
                    {
                        if (reader.TryRead(out var item))
                        {
                            batch.Add(item);
                            continue;
                        }
                        try
                        {
                            if (!await reader.WaitToReadAsync(linked.Token)) break;
                        }
                        catch (OperationCanceledException) when (wait.IsCancellationRequested)
                        {
                            break;
                        }
                    }
                }
                await _batches.WaitAsync(_stopping.Token);
                _ = DeliverAndReleaseAsync(batch);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task DeliverAndReleaseAsync(List<(RoutedMessage Message, TaskCompletionSource<DeliveryOutcome> Result)> batch)
    {
        try
        {
            foreach (var group in batch.GroupBy(b => b.Message.Path))
                await DeliverGroupAsync(group.Key, group.ToList());
        }
        catch (Exception e)
        {
            foreach (var (_, result) in batch) result.TrySetResult(new DeliveryOutcome(DeliveryStatus.Retry, null, e.Message));
        }
        finally
        {
            _batches.Release();
        }
    }

    private async Task DeliverGroupAsync(string path, List<(RoutedMessage Message, TaskCompletionSource<DeliveryOutcome> Result)> group)
    {
        var remaining = group.ToDictionary(_ => Guid.NewGuid().ToString(), g => g);
        var lastReason = "";
        int? lastStatus = null;
        await _policy.ExecuteAsync(async token =>
        {
            var request = new BulkDeliveryRequest(Guid.NewGuid().ToString(), "com.dapr.event.sent.bulk", _subscription.Topic,
                _subscription.PubSubName, new Dictionary<string, string>(),
                remaining.Select(r => Entry(r.Key, r.Value.Message)).ToList());
            var body = JsonSerializer.SerializeToUtf8Bytes(request, SidecarJson.Default.BulkDeliveryRequest);
            var response = await _channel.SendAsync(HttpMethod.Post, path, body, "application/json",
                [new("pubsubname", _subscription.PubSubName)], token);
            (lastStatus, lastReason) = (response.Status, response.Failure ?? $"the app answered {response.Status}");
            foreach (var (entryId, outcome) in Interpret(response, remaining.Keys))
            {
                if (outcome.Status == DeliveryStatus.Retry) continue;
                remaining[entryId].Result.TrySetResult(outcome);
                remaining.Remove(entryId);
            }
            return remaining.Count;
        }, left => left > 0 ? AttemptVerdict.Retry(lastStatus) : AttemptVerdict.Done, () => { lastReason = "the circuit breaker is open"; return remaining.Count; },
        _stopping.Token);
        foreach (var (_, entry) in remaining)
            entry.Result.TrySetResult(new DeliveryOutcome(DeliveryStatus.Retry, lastStatus, $"bulk delivery kept failing: {lastReason}"));
    }

    private BulkDeliveryEntry Entry(string entryId, RoutedMessage message) =>
        _subscription.RawPayload
            ? new BulkDeliveryEntry(entryId, message.Event.GetProperty("data_base64"), "application/octet-stream", message.Metadata)
            : new BulkDeliveryEntry(entryId, message.Event, "application/cloudevents+json", message.Metadata);

    /// <summary>Contract §2.4: missing, empty or unknown statuses mean RETRY; 404 discards all; other failures retry all.</summary>
    private static IEnumerable<(string EntryId, DeliveryOutcome Outcome)> Interpret(AppResponse response, IEnumerable<string> entryIds)
    {
        var ids = entryIds.ToList();
        if (response.Status == 404)
            return ids.Select(id => (id, new DeliveryOutcome(DeliveryStatus.Discard, 404, "the app answered 404 to the bulk delivery")));
        if (!response.IsSuccess)
            return ids.Select(id => (id, new DeliveryOutcome(DeliveryStatus.Retry, response.Status, response.Failure ?? $"the app answered {response.Status}")));
        BulkDeliveryResponse? answer = null;
        try
        {
            answer = JsonSerializer.Deserialize(response.Body, SidecarJson.Default.BulkDeliveryResponse);
        }
        catch (JsonException)
        {
            // every entry retries
        }
        var statuses = (answer?.Statuses ?? []).Where(s => s.EntryId is not null).GroupBy(s => s.EntryId!).ToDictionary(g => g.Key, g => g.Last().Status);
        return ids.Select(id => (id, (statuses.TryGetValue(id, out var status) ? status : null) switch
        {
            "SUCCESS" => new DeliveryOutcome(DeliveryStatus.Success, response.Status, ""),
            "DROP" => new DeliveryOutcome(DeliveryStatus.Drop, response.Status, "the app answered DROP for the entry"),
            var other => new DeliveryOutcome(DeliveryStatus.Retry, response.Status, $"the app answered '{other ?? "nothing"}' for the entry"),
        }));
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _loop;
        while (_pending.Reader.TryRead(out var item)) item.Result.TrySetResult(new DeliveryOutcome(DeliveryStatus.Retry, null, "the subscription stopped"));
        _stopping.Dispose();
    }
}
