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
        if (_topics.TryGetValue(message.Topic, out var subscribers)) subscribers.Publish(message);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<BulkPublishFailure>> BulkPublishAsync(IReadOnlyList<PubSubMessage> messages, CancellationToken cancellationToken)
    {
        var failures = new List<BulkPublishFailure>();
        for (var i = 0; i < messages.Count; i++)
        {
            try
            {
                if (_topics.TryGetValue(messages[i].Topic, out var subscribers)) subscribers.Publish(messages[i]);
            }
            catch (PublishException e)
            {
                failures.Add(new BulkPublishFailure(i, e.Message, e.BoundReached));
            }
        }
        return Task.FromResult<IReadOnlyList<BulkPublishFailure>>(failures);
    }

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

        public void Publish(PubSubMessage message)
        {
            lock (_lock)
            {
                foreach (var queue in _queues)
                {
                    if (queue.IsFull)
                        throw new PublishException(
                            $"{ErrorCodes.PublishBoundReached}: the subscription of '{queue.ConsumerId}' to topic '{message.Topic}' already holds " +
                            $"{queue.Capacity} undelivered messages (the dev sidecar's --subscription-queue-depth); the message was not accepted, publish it again later",
                            boundReached: true);
                }
                foreach (var queue in _queues) queue.Enqueue(message);
            }
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
