namespace Veltrix.Sidecar.Components.PubSub;

/// <summary>A message as the broker carries it: the bytes the publisher's sidecar built, plus publish metadata.</summary>
public sealed record PubSubMessage(string Topic, ReadOnlyMemory<byte> Data, string ContentType, IReadOnlyDictionary<string, string> Metadata);

/// <summary>One consumer of a topic: which app, with what subscription metadata and how many deliveries at once.</summary>
public sealed record PubSubSubscription(string ConsumerId, string Topic, IReadOnlyDictionary<string, string> Metadata, int MaxConcurrency);

/// <summary>Handles one delivered message. Throwing tells the component the message failed (what it then does is its own semantics).</summary>
public delegate Task MessageHandler(PubSubMessage message, CancellationToken cancellationToken);

/// <summary>A failure to hand a message to the broker; the message says why (for a bound, which bound).</summary>
public sealed class PublishException(string message) : Exception(message);

public sealed record BulkPublishFailure(int Index, string Error);

public interface IPubSub : IComponent
{
    Task PublishAsync(PubSubMessage message, CancellationToken cancellationToken);

    /// <summary>Publishes a batch; returns the entries that failed (empty when all were accepted).</summary>
    Task<IReadOnlyList<BulkPublishFailure>> BulkPublishAsync(IReadOnlyList<PubSubMessage> messages, CancellationToken cancellationToken);

    /// <summary>Starts delivering the topic to <paramref name="handler"/>; disposing the result stops it.</summary>
    Task<IAsyncDisposable> SubscribeAsync(PubSubSubscription subscription, MessageHandler handler, CancellationToken cancellationToken);
}
