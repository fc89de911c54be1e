using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Veltrix.Bench;

/// <summary>
/// The baseline of the RabbitMQ benchmark: `RabbitMQ.Client` used directly by the load tool, with the settings the
/// dev sidecar's `pubsub.rabbitmq` uses in components.rabbitmq/pubsub.yaml — a durable fanout exchange per topic, a
/// durable (not auto-deleted) classic queue bound to it, persistent messages (deliveryMode 2), publisher confirms (each
/// publish returns once the broker confirmed it; the number in flight is whatever the callers have outstanding, as
/// with the sidecar), one connection for publishing and consuming, one consumer channel per queue with the same
/// prefetch, and a manual ack of each message after it was "handled" (parsed, as the subscriber app parses it).
/// </summary>
internal sealed class RawRabbitMq : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _publish;
    private readonly List<IChannel> _consumers = [];
    private LatencyRecorder _latency = new(1);
    private long _received;
    private long _handlerErrors;

    private RawRabbitMq(IConnection connection, IChannel publish)
    {
        _connection = connection;
        _publish = publish;
    }

    public long Received => Interlocked.Read(ref _received);
    public long HandlerErrors => Interlocked.Read(ref _handlerErrors);
    public LatencyRecorder Latency => _latency;

    public void Reset(int expected)
    {
        _latency = new LatencyRecorder(expected);
        Interlocked.Exchange(ref _received, 0);
    }

    /// <summary>Connects, declares exchange + queue per topic and starts consuming them.</summary>
    public static async Task<RawRabbitMq> StartAsync(Uri broker, ushort prefetch, IEnumerable<string> topics, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = broker,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            RequestedHeartbeat = TimeSpan.FromSeconds(10),
            ClientProvidedName = "veltrix-bench:raw",
        };
        var connection = await factory.CreateConnectionAsync(cancellationToken);
        // Confirm tracking by the client: BasicPublishAsync completes when the broker confirmed the message. No rate
        // limiter: the publishers bound what is in flight (C single publishers, or publishers × batch), as on the sidecar.
        var publish = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null),
            cancellationToken);
        var raw = new RawRabbitMq(connection, publish);
        foreach (var topic in topics)
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            raw._consumers.Add(channel);
            await channel.BasicQosAsync(0, prefetch, false, cancellationToken);
            await channel.ExchangeDeclareAsync(topic, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            var queue = $"raw-{topic}";
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "classic" }, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(queue, topic, "", cancellationToken: cancellationToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, e) =>
            {
                raw.Handle(e.Body.Span);
                await channel.BasicAckAsync(e.DeliveryTag, multiple: false);
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
        }
        return raw;
    }

    /// <summary>What the subscriber app does with an event: parse it, take the send time, count it.</summary>
    private void Handle(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            _latency.Record(document.RootElement.GetProperty("data").GetProperty("sent").GetInt64());
            Interlocked.Increment(ref _received);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Interlocked.Increment(ref _handlerErrors);
        }
    }

    /// <summary>Publishes one CloudEvent and returns when the broker confirmed it (throws on a nack).</summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var properties = new BasicProperties { ContentType = "application/cloudevents+json", DeliveryMode = DeliveryModes.Persistent };
        await _publish.BasicPublishAsync(topic, "", mandatory: false, properties, body, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _consumers.Append(_publish))
        {
            try
            {
                if (channel.IsOpen) await channel.CloseAsync();
            }
            catch (Exception)
            {
                // the vhost goes away next anyway
            }
            channel.Dispose();
        }
        try
        {
            await _connection.CloseAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception)
        {
            // already gone
        }
        await _connection.DisposeAsync();
    }

    /// <summary>
    /// The CloudEvent the dev sidecar puts on the broker for a plain JSON publish (CloudEventEnvelope.Wrap: the same
    /// attributes in the same order; no traceparent because the load tool sends none), built here by the publisher.
    /// </summary>
    public static byte[] CloudEvent(string topic, long sequence)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", Guid.NewGuid().ToString());
            writer.WriteString("source", "bench");
            writer.WriteString("type", "com.dapr.event.sent");
            writer.WriteString("specversion", "1.0");
            writer.WriteString("datacontenttype", "application/json");
            writer.WriteString("topic", topic);
            writer.WriteString("pubsubname", "pubsub");
            writer.WriteString("traceid", "");
            writer.WriteString("traceparent", "");
            writer.WriteString("tracestate", "");
            writer.WriteString("time", Now());
            writer.WritePropertyName("data");
            writer.WriteRawValue(string.Create(CultureInfo.InvariantCulture, $$"""{"seq":{{sequence}},"sent":{{Stopwatch.GetTimestamp()}}}"""), skipInputValidation: true);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private sealed record Stamp(long Second, string Text);
    private static Stamp? _time;

    private static string Now()
    {
        var now = DateTimeOffset.Now;
        var second = now.UtcTicks / TimeSpan.TicksPerSecond;
        if (_time is { } cached && cached.Second == second) return cached.Text;
        var text = now.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);
        _time = new Stamp(second, text);
        return text;
    }
}
