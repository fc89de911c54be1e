using System.Collections.Concurrent;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Sidecar.Components.PubSub;

/// <summary>
/// `pubsub.in-memory`: topics live inside this process and reach every app it serves. As in daprd, nothing is
/// persisted, messages published before a subscription exists are not kept, and a message that fails for good is
/// logged and gone. Unlike daprd, every subscription holds a bounded number of undelivered messages, and a publish
/// that would exceed it is refused (the publisher retries), so memory stays flat under overload.
/// </summary>
public sealed class InMemoryPubSub(ComponentResource resource, ComponentContext context) : IPubSub
{
    private readonly ConcurrentDictionary<string, TopicSubscribers> _topics = new(StringComparer.Ordinal);
    private readonly ILogger _logger = context.LoggerFactory.CreateLogger<InMemoryPubSub>();

    public ComponentResource Resource => resource;
    public IReadOnlyList<string> Features { get; } = [];

    public Task InitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PublishAsync(PubSubMessage message, CancellationToken cancellationToken)
    {
        if (_topics.TryGetValue(message.Topic, out var subscribers) && subscribers.TryPublish([message], 0, 1) is { } refusal)
            throw new PublishException(refusal, boundReached: true);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A run of messages to one topic (a bulk publish is one topic) is admitted whole or refused whole: a full
    /// subscription refuses the batch with one message, not one exception per entry, so refusing under overload costs
    /// almost nothing, and the publisher resends one batch instead of its tail. Only a run longer than a subscription's
    /// whole bound is admitted message by message (it could never fit at once).
    /// </summary>
    public Task<IReadOnlyList<BulkPublishFailure>> BulkPublishAsync(IReadOnlyList<PubSubMessage> messages, CancellationToken cancellationToken)
    {
        var failures = new List<BulkPublishFailure>();
        for (var start = 0; start < messages.Count;)
        {
            var end = start + 1;
            while (end < messages.Count && messages[end].Topic == messages[start].Topic) end++;
            if (_topics.TryGetValue(messages[start].Topic, out var subscribers))
            {
                if (end - start <= subscribers.SmallestCapacity)
                {
                    if (subscribers.TryPublish(messages, start, end) is { } refusal)
                        for (var i = start; i < end; i++) failures.Add(new BulkPublishFailure(i, refusal, BoundReached: true));
                }
                else
                {
                    for (var i = start; i < end; i++)
                        if (subscribers.TryPublish(messages, i, i + 1) is { } refusal) failures.Add(new BulkPublishFailure(i, refusal, BoundReached: true));
                }
            }
            start = end;
        }
        return Task.FromResult<IReadOnlyList<BulkPublishFailure>>(failures);
    }

    public string? RefusesBatch(string topic, int count) =>
        _topics.TryGetValue(topic, out var subscribers) && count <= subscribers.SmallestCapacity ? subscribers.Refusal(topic, count) : null;

    public Task<IAsyncDisposable> SubscribeAsync(PubSubSubscription subscription, MessageHandler handler, CancellationToken cancellationToken)
    {
        var queue = new SubscriptionQueue(subscription, handler, context.Options.SubscriptionQueueDepth, _logger, resource.Name);
        var subscribers = _topics.GetOrAdd(subscription.Topic, _ => new TopicSubscribers());
        subscribers.Add(queue);
        return Task.FromResult<IAsyncDisposable>(new Unsubscriber(subscribers, queue));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscribers in _topics.Values)
            foreach (var queue in subscribers.Snapshot()) await queue.DisposeAsync();
    }

    /// <summary>The queues of one topic. Admission is all-or-nothing across them, so a refused publish leaves no partial copies.</summary>
    private sealed class TopicSubscribers
    {
        private readonly Lock _lock = new();
        private SubscriptionQueue[] _queues = [];

        public void Add(SubscriptionQueue queue)
        {
            lock (_lock) _queues = [.. _queues, queue];
        }

        public void Remove(SubscriptionQueue queue)
        {
            lock (_lock) _queues = _queues.Where(q => q != queue).ToArray();
        }

        public SubscriptionQueue[] Snapshot() => _queues;

        public int SmallestCapacity => _queues.Length == 0 ? int.MaxValue : _queues.Min(q => q.Capacity);

        /// <summary>
        /// Enqueues messages[start..end) on every subscription, or on none when one of them lacks room for all of them;
        /// returns why it refused, or null.
        /// </summary>
        public string? TryPublish(IReadOnlyList<PubSubMessage> messages, int start, int end)
        {
            lock (_lock)
            {
                if (Refusal(messages[start].Topic, end - start) is { } refusal) return refusal;
                foreach (var queue in _queues)
                    for (var i = start; i < end; i++) queue.Enqueue(messages[i]);
                return null;
            }
        }

        /// <summary>Why <paramref name="count"/> messages would not fit every subscription now, or null (exact under the lock, a hint outside it).</summary>
        public string? Refusal(string topic, int count)
        {
            foreach (var queue in _queues)
            {
                if (queue.Free < count)
                    return $"{ErrorCodes.PublishBoundReached}: the subscription of '{queue.ConsumerId}' to topic '{topic}' holds " +
                        $"{queue.Capacity - queue.Free} of at most {queue.Capacity} undelivered messages (the dev sidecar's --subscription-queue-depth); " +
                        $"{(count == 1 ? "the message was" : $"the {count} messages were")} not accepted, publish again later";
            }
            return null;
        }
    }

    private sealed class Unsubscriber(TopicSubscribers subscribers, SubscriptionQueue queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            subscribers.Remove(queue);
            await queue.DisposeAsync();
        }
    }
}
