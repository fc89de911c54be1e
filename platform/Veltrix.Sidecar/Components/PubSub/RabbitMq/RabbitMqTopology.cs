using System.Globalization;
using RabbitMQ.Client;

namespace Veltrix.Sidecar.Components.PubSub.RabbitMq;

/// <summary>
/// What daprd declares (components-contrib `prepareSubscription`): one exchange per topic (named as the topic, of
/// `exchangeKind`), one queue per consumer and topic bound to it by each routing key, and with `enableDeadLetter` a
/// fanout exchange `dlx-&lt;queue&gt;` feeding a lazy queue `dlq-&lt;queue&gt;`.
/// </summary>
internal static class RabbitMqTopology
{
    public static Task DeclareExchangeAsync(IChannel channel, RabbitMqSettings settings, string topic, CancellationToken cancellationToken) =>
        channel.ExchangeDeclareAsync(topic, settings.ExchangeKind, settings.Durable, settings.DeletedWhenUnused, cancellationToken: cancellationToken);

    public static string QueueName(RabbitMqSettings settings, PubSubSubscription subscription) =>
        subscription.Metadata.TryGetValue("queueName", out var name) && name.Length > 0 ? name : $"{settings.ConsumerId ?? subscription.ConsumerId}-{subscription.Topic}";

    public static async Task DeclareQueueAsync(IChannel channel, RabbitMqSettings settings, PubSubSubscription subscription, string queue,
        CancellationToken cancellationToken)
    {
        await DeclareExchangeAsync(channel, settings, subscription.Topic, cancellationToken);
        var arguments = QueueArguments(settings);
        if (settings.EnableDeadLetter)
        {
            var deadLetterExchange = $"dlx-{queue}";
            await channel.ExchangeDeclareAsync(deadLetterExchange, ExchangeType.Fanout, durable: true, settings.DeletedWhenUnused, cancellationToken: cancellationToken);
            var deadLetterArguments = QueueArguments(settings);
            deadLetterArguments["x-queue-mode"] = "lazy"; // as daprd: dead letters wait on disk, not in RAM
            await channel.QueueDeclareAsync($"dlq-{queue}", durable: true, exclusive: false, autoDelete: settings.DeletedWhenUnused,
                arguments: deadLetterArguments, cancellationToken: cancellationToken);
            await channel.QueueBindAsync($"dlq-{queue}", deadLetterExchange, "", cancellationToken: cancellationToken);
            arguments["x-dead-letter-exchange"] = deadLetterExchange;
        }

        var metadata = subscription.Metadata;
        if (Number(metadata, "maxPriority") is { } priority) arguments["x-max-priority"] = (byte)Math.Min(priority, 255);
        var queueType = metadata.TryGetValue("queueType", out var type) && type.Length > 0 ? type : "classic";
        if (queueType is not ("classic" or "quorum"))
            throw new InvalidOperationException($"{RabbitMqErrors.TopologyRefused}: invalid queueType '{queueType}' in the subscription to '{subscription.Topic}': use classic or quorum");
        arguments["x-queue-type"] = queueType;
        if (metadata.TryGetValue("singleActiveConsumer", out var single) && bool.TryParse(single, out var isSingle) && isSingle) arguments["x-single-active-consumer"] = true;
        if (Number(metadata, "maxLenBytes") is { } maxLenBytes) arguments["x-max-length-bytes"] = maxLenBytes;
        if (Number(metadata, "maxLen") is { } maxLen) arguments["x-max-length"] = maxLen;

        await channel.QueueDeclareAsync(queue, settings.Durable, exclusive: false, autoDelete: settings.DeletedWhenUnused, arguments: arguments,
            cancellationToken: cancellationToken);
        var routingKeys = metadata.TryGetValue("routingKey", out var keys) && keys.Length > 0 ? keys.Split(',') : [""];
        foreach (var routingKey in routingKeys)
            await channel.QueueBindAsync(queue, subscription.Topic, routingKey, cancellationToken: cancellationToken);
    }

    // Component-level queue limits and the queue-default message TTL.
    private static Dictionary<string, object?> QueueArguments(RabbitMqSettings settings)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (settings.MaxLen is { } maxLen) arguments["x-max-length"] = maxLen;
        if (settings.MaxLenBytes is { } maxLenBytes) arguments["x-max-length-bytes"] = maxLenBytes;
        if (settings.TtlInSeconds is { } ttl) arguments["x-message-ttl"] = ttl * 1000;
        return arguments;
    }

    private static long? Number(IReadOnlyDictionary<string, string> metadata, string key)
    {
        if (!metadata.TryGetValue(key, out var text) || text.Length == 0) return null;
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new InvalidOperationException($"{RabbitMqErrors.TopologyRefused}: subscription metadata '{key}' must be a whole number, not '{text}'");
    }
}
