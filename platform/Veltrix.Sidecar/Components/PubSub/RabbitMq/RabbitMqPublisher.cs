using System.Collections.Concurrent;
using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Veltrix.Sidecar.Components.PubSub.RabbitMq;

/// <summary>
/// Publishes on one channel. With `publisherConfirm` every publish waits for the broker's confirm, but publishes do
/// not wait for each other: a bulk publish puts its whole batch on the wire and then collects the confirms (the
/// bound is <see cref="RabbitMqSettings.MaxUnconfirmed"/> unconfirmed messages). A connection error is retried three
/// times, `reconnectWaitSeconds` apart, as daprd does; after that, and on a nack or a lost confirm, the publisher
/// gets an error — a message is never reported as published unless the broker took it.
/// </summary>
internal sealed class RabbitMqPublisher(RabbitMqConnection connection, RabbitMqSettings settings, string component, ILogger logger) : IAsyncDisposable
{
    private const int Attempts = 3;

    private readonly SemaphoreSlim _unconfirmed = new(settings.MaxUnconfirmed, settings.MaxUnconfirmed);
    private readonly SemaphoreSlim _channelGate = new(1, 1);
    private readonly SemaphoreSlim _sendGate = new(1, 1); // sequence number and send in one step, so confirms map to messages
    private PublishChannel? _current;

    public async Task PublishAsync(PubSubMessage message, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            PublishChannel? used = null;
            try
            {
                used = await ChannelAsync(cancellationToken);
                await PublishOnceAsync(used, message, cancellationToken);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (NotConfirmedException e)
            {
                throw new PublishException($"{RabbitMqErrors.PublishNotConfirmed}: pubsub {component}: the message to topic '{message.Topic}' was not confirmed by RabbitMQ at {settings.Endpoint}: {e.Message}; it may not have been stored, publish it again");
            }
            catch (Exception e) when (attempt < Attempts)
            {
                logger.LogWarning("pubsub {Component}: publishing to {Topic} failed (attempt {Attempt}/{Attempts}), reconnecting in {Wait}s: {Error}",
                    component, message.Topic, attempt, Attempts, settings.ReconnectWait.TotalSeconds, RabbitMqConnection.Reason(e));
                if (used is not null) await DiscardAsync(used);
                await Task.Delay(settings.ReconnectWait, cancellationToken);
            }
            catch (Exception e)
            {
                if (used is not null) await DiscardAsync(used);
                throw new PublishException($"{RabbitMqErrors.PublishNotConfirmed}: pubsub {component}: publishing to topic '{message.Topic}' on RabbitMQ at {settings.Endpoint} failed {Attempts} times: {RabbitMqConnection.Reason(e)}");
            }
        }
    }

    private async Task PublishOnceAsync(PublishChannel target, PubSubMessage message, CancellationToken cancellationToken)
    {
        await _unconfirmed.WaitAsync(cancellationToken);
        try
        {
            await target.EnsureExchangeAsync(settings, message.Topic, cancellationToken);
            var properties = Properties(message);
            var routingKey = message.Metadata.TryGetValue("routingKey", out var key) ? key : "";
            Task confirmed;
            await _sendGate.WaitAsync(cancellationToken);
            try
            {
                confirmed = settings.PublisherConfirm ? target.Expect(await target.Channel.GetNextPublishSequenceNumberAsync(cancellationToken)) : Task.CompletedTask;
                await target.Channel.BasicPublishAsync(message.Topic, routingKey, mandatory: false, properties, message.Data, cancellationToken);
            }
            finally
            {
                _sendGate.Release();
            }
            try
            {
                await confirmed.WaitAsync(settings.ConfirmTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new NotConfirmedException($"no confirm within {settings.ConfirmTimeout.TotalSeconds:0.#} s");
            }
        }
        finally
        {
            _unconfirmed.Release();
        }
    }

    private BasicProperties Properties(PubSubMessage message)
    {
        var properties = new BasicProperties { ContentType = message.ContentType };
        if (settings.DeliveryMode is 1 or 2) properties.DeliveryMode = (DeliveryModes)settings.DeliveryMode;
        // Per-message TTL from the publish metadata, else the component's ttlInSeconds (daprd's order).
        if (Seconds(message.Metadata, "ttlInSeconds") is { } ttl) properties.Expiration = (ttl * 1000).ToString(CultureInfo.InvariantCulture);
        else if (settings.TtlInSeconds is { } defaultTtl) properties.Expiration = (defaultTtl * 1000).ToString(CultureInfo.InvariantCulture);
        if (message.Metadata.TryGetValue("priority", out var text) && byte.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var priority))
            properties.Priority = priority;
        // The one piece of metadata that must survive the broker: a dead letter's cause, as an AMQP header.
        if (message.Metadata.TryGetValue(DeadLetterCause.MetadataKey, out var cause))
            properties.Headers = new Dictionary<string, object?> { [DeadLetterCause.MetadataKey] = System.Text.Encoding.UTF8.GetBytes(cause) };
        return properties;
    }

    private static long? Seconds(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : null;

    private async Task<PublishChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_current is { Channel.IsOpen: true } open) return open;
        await _channelGate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { Channel.IsOpen: true } again) return again;
            if (_current is not null) await _current.DisposeAsync();
            _current = null;
            var amqp = await connection.OpenAsync(cancellationToken);
            var channel = await amqp.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: settings.PublisherConfirm, publisherConfirmationTrackingEnabled: false), cancellationToken);
            _current = new PublishChannel(channel);
            return _current;
        }
        finally
        {
            _channelGate.Release();
        }
    }

    private async Task DiscardAsync(PublishChannel channel)
    {
        await _channelGate.WaitAsync();
        try
        {
            if (_current == channel) _current = null;
        }
        finally
        {
            _channelGate.Release();
        }
        await channel.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_current is not null) await _current.DisposeAsync();
    }

    private sealed class NotConfirmedException(string message) : Exception(message);

    /// <summary>A publishing channel with the confirms it is waiting for and the exchanges it has declared.</summary>
    private sealed class PublishChannel : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _pending = new();
        private readonly ConcurrentDictionary<string, Task> _exchanges = new(StringComparer.Ordinal);

        public PublishChannel(IChannel channel)
        {
            Channel = channel;
            channel.BasicAcksAsync += (_, e) =>
            {
                Settle(e.DeliveryTag, e.Multiple, null);
                return Task.CompletedTask;
            };
            channel.BasicNacksAsync += (_, e) =>
            {
                Settle(e.DeliveryTag, e.Multiple, "the broker refused it (nack)");
                return Task.CompletedTask;
            };
            channel.ChannelShutdownAsync += (_, e) =>
            {
                // Whatever was not confirmed before the channel went may or may not be stored: the publisher must know.
                foreach (var tag in _pending.Keys) Settle(tag, false, $"the channel closed before the broker confirmed it ({e.ReplyText})");
                return Task.CompletedTask;
            };
        }

        public IChannel Channel { get; }

        public Task Expect(ulong sequenceNumber)
        {
            var confirm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[sequenceNumber] = confirm;
            if (!Channel.IsOpen) Settle(sequenceNumber, false, "the channel is closed");
            return confirm.Task;
        }

        public Task EnsureExchangeAsync(RabbitMqSettings settings, string topic, CancellationToken cancellationToken)
        {
            var declared = _exchanges.GetOrAdd(topic, t => RabbitMqTopology.DeclareExchangeAsync(Channel, settings, t, CancellationToken.None));
            if (declared.IsFaulted || declared.IsCanceled) _exchanges.TryRemove(new(topic, declared));
            return declared.WaitAsync(cancellationToken);
        }

        private void Settle(ulong tag, bool multiple, string? failure)
        {
            var tags = multiple ? _pending.Keys.Where(k => k <= tag).ToList() : [tag];
            foreach (var settled in tags)
            {
                if (!_pending.TryRemove(settled, out var confirm)) continue;
                if (failure is null) confirm.TrySetResult();
                else confirm.TrySetException(new NotConfirmedException(failure));
            }
        }

        public async ValueTask DisposeAsync() => await RabbitMqConnection.CloseQuietlyAsync(Channel);
    }
}
