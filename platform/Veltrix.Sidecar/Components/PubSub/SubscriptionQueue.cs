using System.Threading.Channels;

namespace Veltrix.Sidecar.Components.PubSub;

/// <summary>
/// One subscription's undelivered messages and the workers that deliver them. A message counts against the bound
/// from the moment it is accepted until its delivery has finished, so retries in progress hold their place too.
/// </summary>
internal sealed class SubscriptionQueue : IAsyncDisposable
{
    private readonly Channel<PubSubMessage> _channel = Channel.CreateUnbounded<PubSubMessage>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;
    private readonly MessageHandler _handler;
    private readonly ILogger _logger;
    private readonly string _component;
    private int _held;

    public SubscriptionQueue(PubSubSubscription subscription, MessageHandler handler, int capacity, ILogger logger, string component)
    {
        ConsumerId = subscription.ConsumerId;
        Capacity = capacity;
        _handler = handler;
        _logger = logger;
        _component = component;
        _workers = Enumerable.Range(0, subscription.MaxConcurrency).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    public string ConsumerId { get; }
    public int Capacity { get; }
    public bool IsFull => Volatile.Read(ref _held) >= Capacity;

    /// <summary>Called under the topic's lock after <see cref="IsFull"/> said there is room.</summary>
    public void Enqueue(PubSubMessage message)
    {
        Interlocked.Increment(ref _held);
        _channel.Writer.TryWrite(message); // unbounded underneath: the bound is _held, checked by the caller
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var message in _channel.Reader.ReadAllAsync(_stopping.Token))
            {
                try
                {
                    await _handler(message, _stopping.Token);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // daprd's in-memory pub/sub has no redelivery: the failure is logged and the message is gone.
                    _logger.LogError("pubsub {Component}: message on topic {Topic} for {Consumer} failed and is discarded (no dead-letter topic): {Error}",
                        _component, message.Topic, ConsumerId, e.Message);
                }
                finally
                {
                    Interlocked.Decrement(ref _held);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _stopping.CancelAsync();
        await Task.WhenAll(_workers);
        _stopping.Dispose();
    }
}
