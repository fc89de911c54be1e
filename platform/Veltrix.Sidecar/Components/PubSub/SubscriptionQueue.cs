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
    private readonly int _maxBatch;
    private int _held;

    public SubscriptionQueue(PubSubSubscription subscription, MessageHandler handler, int capacity, ILogger logger, string component)
    {
        ConsumerId = subscription.ConsumerId;
        Capacity = capacity;
        _handler = handler;
        _logger = logger;
        _component = component;
        _maxBatch = Math.Max(1, subscription.MaxBatch);
        _workers = Enumerable.Range(0, subscription.MaxConcurrency).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    public string ConsumerId { get; }
    public int Capacity { get; }
    /// <summary>Room left under the bound (it only grows outside the topic's lock, as deliveries finish).</summary>
    public int Free => Capacity - Volatile.Read(ref _held);

    /// <summary>Called under the topic's lock after <see cref="Free"/> said there is room.</summary>
    public void Enqueue(PubSubMessage message)
    {
        Interlocked.Increment(ref _held);
        _channel.Writer.TryWrite(message); // unbounded underneath: the bound is _held, checked by the caller
    }

    private async Task WorkAsync()
    {
        var reader = _channel.Reader;
        var batch = new List<PubSubMessage>(_maxBatch);
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                batch.Clear();
                BatchFill.Fill(reader, batch, _maxBatch);
                if (batch.Count == 0) continue;
                try
                {
                    foreach (var failure in await _handler(batch, _stopping.Token))
                    {
                        // daprd's in-memory pub/sub has no redelivery: the failure is logged and the message is gone.
                        _logger.LogError("pubsub {Component}: message on topic {Topic} for {Consumer} failed and is discarded (no dead-letter topic): {Error}",
                            _component, batch[failure.Index].Topic, ConsumerId, failure.Error);
                    }
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    _logger.LogError("pubsub {Component}: {Count} message(s) for {Consumer} failed and are discarded: {Error}", _component, batch.Count, ConsumerId, e.Message);
                }
                finally
                {
                    Interlocked.Add(ref _held, -batch.Count);
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
