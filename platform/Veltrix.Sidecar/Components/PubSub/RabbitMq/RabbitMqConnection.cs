using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Veltrix.Sidecar.Components.PubSub.RabbitMq;

/// <summary>
/// The one AMQP connection of a `pubsub.rabbitmq` component. The client's own automatic recovery is off: when the
/// connection is lost, the next caller opens a new one, and the publisher and every subscriber re-create their
/// channels (and re-declare what they need) on it. That keeps "which channel a delivery tag belongs to" explicit.
/// </summary>
internal sealed class RabbitMqConnection(RabbitMqSettings settings, string componentName, ILogger logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConnectionFactory _factory = new()
    {
        Uri = settings.Address,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
        RequestedConnectionTimeout = settings.ConnectTimeout,
        RequestedHeartbeat = settings.HeartBeat,
        ClientProvidedName = settings.ClientName ?? $"veltrix-sidecar:{componentName}",
    };
    private IConnection? _connection;
    private bool _disposed;

    /// <summary>The open connection, connecting first if there is none (or the last one was lost).</summary>
    public async Task<IConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true } open) return open;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { IsOpen: true } again) return again;
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.ConnectTimeout);
            try
            {
                _connection = await _factory.CreateConnectionAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BrokerUnreachableException(new TimeoutException($"no answer within {settings.ConnectTimeout.TotalSeconds:0.#} s"));
            }
            logger.LogInformation("pubsub {Component}: connected to RabbitMQ at {Endpoint}", componentName, settings.Endpoint);
            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            if (_connection is not null)
            {
                try
                {
                    await _connection.CloseAsync(TimeSpan.FromSeconds(2));
                }
                catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException or TimeoutException)
                {
                    // already gone
                }
                await _connection.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes and disposes a channel that may already be gone (closed by the broker, or its connection lost).</summary>
    public static async Task CloseQuietlyAsync(IChannel channel)
    {
        try
        {
            if (channel.IsOpen) await channel.CloseAsync();
        }
        catch (Exception e) when (ChannelGone(e))
        {
            // already gone
        }
        channel.Dispose();
    }

    /// <summary>What a call on a channel throws when the channel, or its connection, is gone.</summary>
    public static bool ChannelGone(Exception e) =>
        e is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException;

    /// <summary>The innermost reason a connection attempt failed, for one readable line.</summary>
    public static string Reason(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner == e ? e.Message : $"{e.Message} ({inner.Message})";
    }
}
