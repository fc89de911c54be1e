using RabbitMQ.Client.Exceptions;
using Veltrix.Resources.Components;

namespace Veltrix.Sidecar.Components.PubSub.RabbitMq;

/// <summary>
/// `pubsub.rabbitmq`: daprd's RabbitMQ pub/sub (contract §7.2) on a real broker. Exchange per topic, queue
/// `&lt;consumerID&gt;-&lt;topic&gt;` per subscriber, ack only after the app's answer is known, nack on failure.
/// Start-up fails with VX2020 (naming the broker and how to start it) when the broker cannot be reached.
/// </summary>
public sealed class RabbitMqPubSub : IPubSub
{
    private readonly ComponentResource _resource;
    private readonly ILogger _logger;
    private RabbitMqSettings _settings = null!;
    private RabbitMqConnection _connection = null!;
    private RabbitMqPublisher _publisher = null!;
    private readonly List<RabbitMqSubscriber> _subscribers = [];

    public RabbitMqPubSub(ComponentResource resource, ComponentContext context)
    {
        _resource = resource;
        _logger = context.LoggerFactory.CreateLogger<RabbitMqPubSub>();
    }

    public ComponentResource Resource => _resource;
    public IReadOnlyList<string> Features { get; } = ["MESSAGE_TTL"];

    public async Task InitAsync(CancellationToken cancellationToken)
    {
        // Read here, not in the constructor: the loader names the component and its file for errors thrown by InitAsync.
        _settings = RabbitMqSettings.Read(_resource);
        _connection = new RabbitMqConnection(_settings, _resource.Name, _logger);
        _publisher = new RabbitMqPublisher(_connection, _settings, _resource.Name, _logger);
        try
        {
            await _connection.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is BrokerUnreachableException or AuthenticationFailureException or OperationInterruptedException or IOException
                                      or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(
                $"{RabbitMqErrors.Unreachable}: cannot connect to RabbitMQ at {_settings.Endpoint}: {RabbitMqConnection.Reason(e)}. " +
                "Start the broker (`/etc/init.d/rabbitmq-server start`, or `bash scripts/servers.sh local` in the Veltrix repository for both servers of components.rabbitmq/), " +
                "or point the component's connectionString (or hostname/username/password) at a running one.", e);
        }
    }

    public Task PublishAsync(PubSubMessage message, CancellationToken cancellationToken) => _publisher.PublishAsync(message, cancellationToken);

    public async Task<IReadOnlyList<BulkPublishFailure>> BulkPublishAsync(IReadOnlyList<PubSubMessage> messages, CancellationToken cancellationToken)
    {
        // Every entry goes on the wire at once; the confirms come back while later entries are still being sent.
        var outcomes = await Task.WhenAll(messages.Select(async (message, index) =>
        {
            try
            {
                await _publisher.PublishAsync(message, cancellationToken);
                return null;
            }
            catch (PublishException e)
            {
                return new BulkPublishFailure(index, e.Message);
            }
        }));
        return outcomes.OfType<BulkPublishFailure>().ToList();
    }

    public async Task<IAsyncDisposable> SubscribeAsync(PubSubSubscription subscription, MessageHandler handler, CancellationToken cancellationToken)
    {
        var subscriber = new RabbitMqSubscriber(_connection, _settings, subscription, handler, _resource.Name, _logger);
        try
        {
            await subscriber.StartAsync(cancellationToken);
        }
        catch
        {
            await subscriber.DisposeAsync();
            throw;
        }
        lock (_subscribers) _subscribers.Add(subscriber);
        return new Unsubscriber(this, subscriber);
    }

    public async ValueTask DisposeAsync()
    {
        List<RabbitMqSubscriber> subscribers;
        lock (_subscribers) subscribers = [.. _subscribers];
        foreach (var subscriber in subscribers) await subscriber.DisposeAsync();
        if (_publisher is not null) await _publisher.DisposeAsync();
        if (_connection is not null) await _connection.DisposeAsync();
    }

    private sealed class Unsubscriber(RabbitMqPubSub owner, RabbitMqSubscriber subscriber) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            lock (owner._subscribers)
                if (!owner._subscribers.Remove(subscriber)) return;
            await subscriber.DisposeAsync();
        }
    }
}
