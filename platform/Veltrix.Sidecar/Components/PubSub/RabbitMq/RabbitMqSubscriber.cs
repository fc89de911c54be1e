using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Veltrix.Sidecar.Components.PubSub.RabbitMq;

/// <summary>
/// One subscription's consumer: declares its queue, consumes with a bounded prefetch, hands the app batches of up to
/// MaxBatch messages (bulk subscriptions) or single messages, and only then acks each success and nacks each failure
/// (requeued with `requeueInFailure`, else dead-lettered by the broker when `enableDeadLetter`, else dropped — as daprd);
/// a batch that succeeded whole is acked with one frame (see <see cref="AckWholeBatchAsync"/>).
/// When the channel or the connection goes, it comes back by itself after `reconnectWaitSeconds`; deliveries of the
/// lost channel that were not yet handed to the app are forgotten (the broker redelivers them).
/// </summary>
internal sealed class RabbitMqSubscriber : IAsyncDisposable
{
    private readonly RabbitMqConnection _connection;
    private readonly RabbitMqSettings _settings;
    private readonly PubSubSubscription _subscription;
    private readonly MessageHandler _handler;
    private readonly string _component;
    private readonly ILogger _logger;
    private readonly string _queue;
    private readonly int _maxBatch;
    private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _settleGate = new(1, 1);
    private readonly TaskCompletionSource _firstConsume = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private Task[] _workers = [];

    public RabbitMqSubscriber(RabbitMqConnection connection, RabbitMqSettings settings, PubSubSubscription subscription, MessageHandler handler,
        string component, ILogger logger)
    {
        _connection = connection;
        _settings = settings;
        _subscription = subscription;
        _handler = handler;
        _component = component;
        _logger = logger;
        _queue = RabbitMqTopology.QueueName(settings, subscription);
        _maxBatch = Math.Max(1, subscription.MaxBatch);
    }

    /// <summary>Returns once the queue is declared, bound and consumed, so anything published afterwards reaches it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var workers = _settings.SingleConcurrency ? 1 : Math.Max(1, _subscription.MaxConcurrency);
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(WorkAsync)).ToArray();
        _loop = Task.Run(ConsumeForeverAsync);
        await _firstConsume.Task.WaitAsync(cancellationToken);
    }

    private async Task ConsumeForeverAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            IChannel? channel = null;
            try
            {
                var connection = await _connection.OpenAsync(stopping);
                channel = await connection.CreateChannelAsync(cancellationToken: stopping);
                var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                channel.ChannelShutdownAsync += (_, e) =>
                {
                    closed.TrySetResult(e.ReplyText);
                    return Task.CompletedTask;
                };
                await channel.BasicQosAsync(0, _settings.PrefetchFor(_subscription), false, stopping);
                try
                {
                    await RabbitMqTopology.DeclareQueueAsync(channel, _settings, _subscription, _queue, stopping);
                }
                catch (OperationInterruptedException e) when (connection.IsOpen)
                {
                    // The broker refused the declaration itself (not a lost connection): retrying will not help.
                    throw new InvalidOperationException($"{RabbitMqErrors.TopologyRefused}: pubsub {_component}: RabbitMQ refused queue '{_queue}' for topic '{_subscription.Topic}': {e.ShutdownReason?.ReplyText ?? e.Message}", e);
                }
                var consumer = new AsyncEventingBasicConsumer(channel);
                var source = channel;
                consumer.ReceivedAsync += (_, e) =>
                {
                    // The body is only valid during this callback: copy it.
                    var message = new PubSubMessage(_subscription.Topic, e.Body.ToArray(), e.BasicProperties.ContentType ?? "", MetadataOf(e.BasicProperties));
                    _deliveries.Writer.TryWrite(new Delivery(source, e.DeliveryTag, message));
                    return Task.CompletedTask;
                };
                await channel.BasicConsumeAsync(_queue, _settings.AutoAck, consumer, stopping);
                if (_firstConsume.TrySetResult())
                    _logger.LogInformation("pubsub {Component}: consuming queue {Queue} for topic {Topic}", _component, _queue, _subscription.Topic);
                else
                    _logger.LogWarning("pubsub {Component}: consuming queue {Queue} for topic {Topic} again after a reconnect", _component, _queue, _subscription.Topic);
                var reason = await closed.Task.WaitAsync(stopping);
                _logger.LogWarning("pubsub {Component}: the channel of queue {Queue} closed ({Reason}); reconnecting in {Wait}s", _component, _queue, reason,
                    _settings.ReconnectWait.TotalSeconds);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (InvalidOperationException e) when (e.Message.StartsWith(RabbitMqErrors.TopologyRefused, StringComparison.Ordinal))
            {
                _logger.LogError("{Error}", e.Message);
                if (_firstConsume.TrySetException(e)) return;
            }
            catch (Exception e)
            {
                if (!_firstConsume.Task.IsCompleted && _firstConsume.TrySetException(
                        new InvalidOperationException($"{RabbitMqErrors.Unreachable}: pubsub {_component}: cannot consume queue '{_queue}' on RabbitMQ at {_settings.Endpoint}: {RabbitMqConnection.Reason(e)}", e)))
                    return;
                _logger.LogWarning("pubsub {Component}: consuming queue {Queue} failed, retrying in {Wait}s: {Error}", _component, _queue,
                    _settings.ReconnectWait.TotalSeconds, RabbitMqConnection.Reason(e));
            }
            finally
            {
                if (channel is not null) await RabbitMqConnection.CloseQuietlyAsync(channel);
            }
            try
            {
                await Task.Delay(_settings.ReconnectWait, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    // daprd passes AMQP properties on only with publishMessagePropertiesToMetadata, which the dev sidecar does not implement.
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A dead letter's cause comes back from its AMQP header (see RabbitMqPublisher); nothing else is read from headers.</summary>
    private static IReadOnlyDictionary<string, string> MetadataOf(IReadOnlyBasicProperties properties) =>
        properties.Headers?.TryGetValue(DeadLetterCause.MetadataKey, out var cause) == true && cause is byte[] bytes
            ? new Dictionary<string, string>(StringComparer.Ordinal) { [DeadLetterCause.MetadataKey] = System.Text.Encoding.UTF8.GetString(bytes) }
            : NoMetadata;

    private async Task WorkAsync()
    {
        var reader = _deliveries.Reader;
        var batch = new List<Delivery>(_maxBatch);
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                batch.Clear();
                BatchFill.Fill(reader, batch, _maxBatch);
                batch.RemoveAll(d => !d.Channel.IsOpen); // its channel is gone: the broker hands the message out again
                if (batch.Count == 0) continue;
                IReadOnlyList<MessageFailure> failures;
                try
                {
                    failures = await _handler(batch.Select(d => d.Message).ToList(), _stopping.Token);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return; // not settled: the broker redelivers when the channel closes
                }
                catch (Exception e)
                {
                    failures = batch.Select((_, i) => new MessageFailure(i, e.Message)).ToList();
                }
                await SettleAsync(batch, failures);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task SettleAsync(List<Delivery> batch, IReadOnlyList<MessageFailure> failures)
    {
        if (_settings.AutoAck) return;
        await _settleGate.WaitAsync();
        try
        {
            if (failures.Count == 0 && _workers.Length == 1)
            {
                await AckWholeBatchAsync(batch);
                return;
            }
            var failed = failures.ToDictionary(f => f.Index, f => f.Error);
            for (var i = 0; i < batch.Count; i++)
            {
                var delivery = batch[i];
                if (!delivery.Channel.IsOpen) continue; // a delivery tag means nothing on another channel; the broker redelivers
                try
                {
                    if (failed.TryGetValue(i, out var error))
                    {
                        _logger.LogError("pubsub {Component}: message on topic {Topic} for {Consumer} failed; nack (requeue: {Requeue}{DeadLetter}): {Error}",
                            _component, _subscription.Topic, _subscription.ConsumerId, _settings.RequeueInFailure,
                            _settings.EnableDeadLetter && !_settings.RequeueInFailure ? $", to dlq-{_queue}" : "", error);
                        await delivery.Channel.BasicNackAsync(delivery.Tag, multiple: false, requeue: _settings.RequeueInFailure);
                    }
                    else
                    {
                        await delivery.Channel.BasicAckAsync(delivery.Tag, multiple: false);
                    }
                }
                catch (Exception e) when (RabbitMqConnection.ChannelGone(e))
                {
                    _logger.LogWarning("pubsub {Component}: could not settle a message of queue {Queue}; the broker will redeliver it: {Error}", _component, _queue, e.Message);
                }
            }
        }
        finally
        {
            _settleGate.Release();
        }
    }

    /// <summary>
    /// Acks a batch that succeeded whole with one frame per channel instead of one per message. It is safe because
    /// there is one worker: it takes deliveries in the order the broker sent them (the client calls the consumer one
    /// delivery at a time per channel) and settles each batch before it takes the next, so when this batch is settled
    /// every earlier delivery of its channel has been acked or nacked already, and `multiple` up to the batch's last
    /// tag on that channel acks exactly this batch's deliveries. Each ack frame is a send on the broker's socket and
    /// work for the broker, so a bulk subscription of 100 pays one instead of a hundred.
    /// </summary>
    private async Task AckWholeBatchAsync(List<Delivery> batch)
    {
        var last = new Dictionary<IChannel, ulong>(1, ReferenceEqualityComparer.Instance);
        foreach (var delivery in batch)
            if (!last.TryGetValue(delivery.Channel, out var tag) || delivery.Tag > tag)
                last[delivery.Channel] = delivery.Tag;
        foreach (var (channel, tag) in last)
        {
            if (!channel.IsOpen) continue; // a delivery tag means nothing on another channel; the broker redelivers
            try
            {
                await channel.BasicAckAsync(tag, multiple: true);
            }
            catch (Exception e) when (RabbitMqConnection.ChannelGone(e))
            {
                _logger.LogWarning("pubsub {Component}: could not settle a batch of queue {Queue}; the broker will redeliver it: {Error}", _component, _queue, e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _deliveries.Writer.TryComplete();
        await Task.WhenAll([_loop, .. _workers]);
        _stopping.Dispose();
        _settleGate.Dispose();
    }

    private sealed record Delivery(IChannel Channel, ulong Tag, PubSubMessage Message);
}
