namespace Veltrix.Sidecar.Components.PubSub;

/// <summary>A message as the broker carries it: the bytes the publisher's sidecar built, plus publish metadata.</summary>
public sealed record PubSubMessage(string Topic, ReadOnlyMemory<byte> Data, string ContentType, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// One consumer of a topic: which app, with what subscription metadata, how many handler calls at once, and how
/// many messages one call may carry (more than one for bulk subscriptions: up to MaxBatch, what is waiting —
/// <see cref="BatchFill"/>).
/// </summary>
public sealed record PubSubSubscription(
    string ConsumerId, string Topic, IReadOnlyDictionary<string, string> Metadata, int MaxConcurrency, int MaxBatch = 1);

/// <summary>A message of a batch that failed, by its index in the batch.</summary>
public sealed record MessageFailure(int Index, string Error);

/// <summary>
/// Handles delivered messages; returns the ones that failed (empty: all succeeded). What happens to a failed
/// message is the component's own semantics (in-memory: logged and gone; a broker: nack/redeliver).
/// </summary>
public delegate Task<IReadOnlyList<MessageFailure>> MessageHandler(IReadOnlyList<PubSubMessage> messages, CancellationToken cancellationToken);

/// <summary>
/// A failure to hand a message to the broker; the message says why (for a bound, which bound). BoundReached marks
/// the refusals that are the sidecar's own back-pressure rather than a broker fault, so the gRPC API can answer
/// ResourceExhausted (publish again later) instead of Internal.
/// </summary>
public sealed class PublishException(string message, bool boundReached = false) : Exception(message)
{
    public bool BoundReached => boundReached;
}

public sealed record BulkPublishFailure(int Index, string Error, bool BoundReached = false);

public interface IPubSub : IComponent
{
    Task PublishAsync(PubSubMessage message, CancellationToken cancellationToken);

    /// <summary>Publishes a batch; returns the entries that failed (empty when all were accepted).</summary>
    Task<IReadOnlyList<BulkPublishFailure>> BulkPublishAsync(IReadOnlyList<PubSubMessage> messages, CancellationToken cancellationToken);

    /// <summary>
    /// Why a batch of <paramref name="count"/> messages to <paramref name="topic"/> would be refused whole at a bound right
    /// now, or null. Advisory and cheap: the sidecar asks before it builds a bulk publish's envelopes, so a batch that
    /// cannot fit costs no envelope work; <see cref="BulkPublishAsync"/> still decides atomically.
    /// </summary>
    string? RefusesBatch(string topic, int count) => null;

    /// <summary>Starts delivering the topic to <paramref name="handler"/>; disposing the result stops it.</summary>
    Task<IAsyncDisposable> SubscribeAsync(PubSubSubscription subscription, MessageHandler handler, CancellationToken cancellationToken);
}
