using System.Globalization;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Sidecar.Components.PubSub.RabbitMq;

/// <summary>
/// `pubsub.rabbitmq` metadata read with daprd's keys and code defaults (contract §7.2): `durable` defaults to true and
/// `deletedWhenUnused` to true, as in components-contrib, whatever the docs say. Where daprd leaves something
/// unbounded (prefetch 0) the dev sidecar picks a bound instead, see <see cref="PrefetchFor"/>.
/// </summary>
internal sealed record RabbitMqSettings
{
    public required Uri Address { get; init; }
    /// <summary>The consumerID metadata; when absent, every app subscribes under its own app ID (daprd's default).</summary>
    public required string? ConsumerId { get; init; }
    public bool Durable { get; init; } = true;
    public bool DeletedWhenUnused { get; init; } = true;
    public bool AutoAck { get; init; }
    public byte DeliveryMode { get; init; }
    public bool RequeueInFailure { get; init; }
    public ushort PrefetchCount { get; init; }
    public bool SingleConcurrency { get; init; }
    public string ExchangeKind { get; init; } = "fanout";
    public bool EnableDeadLetter { get; init; }
    public long? MaxLen { get; init; }
    public long? MaxLenBytes { get; init; }
    public bool PublisherConfirm { get; init; }
    public TimeSpan ReconnectWait { get; init; } = TimeSpan.FromSeconds(3);
    public long? TtlInSeconds { get; init; }
    public TimeSpan HeartBeat { get; init; } = TimeSpan.FromSeconds(10);
    public string? ClientName { get; init; }
    public bool PublishMessagePropertiesToMetadata { get; init; }

    /// <summary>Publishes waiting for a broker confirm at once (the bound on unconfirmed messages in flight).</summary>
    public int MaxUnconfirmed { get; init; } = 1024;

    /// <summary>How long to wait for the broker when connecting (daprd's default initTimeout) and for one confirm.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan ConfirmTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the broker is, for messages: host:port and vhost, never the password.</summary>
    public string Endpoint => $"{Address.Host}:{(Address.Port > 0 ? Address.Port : 5672)}{(Address.AbsolutePath is "/" or "" ? "" : " vhost " + Uri.UnescapeDataString(Address.AbsolutePath[1..]))}";

    /// <summary>
    /// daprd's prefetchCount 0 means "unlimited"; here 0 means "what the subscription can work on at once" (its
    /// handler calls times the batch size), so a slow app never makes the sidecar hold a whole queue in memory.
    /// </summary>
    public ushort PrefetchFor(PubSubSubscription subscription)
    {
        if (PrefetchCount > 0) return PrefetchCount;
        // A bulk subscription has one batch in flight and the next one filling behind it: room for two.
        var batches = subscription.MaxBatch > 1 ? 2 : SingleConcurrency ? 1 : Math.Max(1, subscription.MaxConcurrency);
        return (ushort)Math.Clamp(batches * Math.Max(1, subscription.MaxBatch), 1, 1000);
    }

    public static RabbitMqSettings Read(ComponentResource resource)
    {
        return new RabbitMqSettings
        {
            Address = AddressOf(resource),
            ConsumerId = resource.Get("consumerID") is { Length: > 0 } consumer ? consumer : null, // null: each app's own ID
            Durable = Bool(resource, "durable", true),
            DeletedWhenUnused = Bool(resource, "deletedWhenUnused", true),
            AutoAck = Bool(resource, "autoAck", false),
            DeliveryMode = (byte)Int(resource, "deliveryMode", 0, 0, 2),
            RequeueInFailure = Bool(resource, "requeueInFailure", false),
            PrefetchCount = (ushort)Int(resource, "prefetchCount", 0, 0, ushort.MaxValue),
            SingleConcurrency = string.Equals(resource.Get("concurrencyMode"), "single", StringComparison.OrdinalIgnoreCase),
            ExchangeKind = resource.Get("exchangeKind") is { Length: > 0 } kind ? kind.ToLowerInvariant() : "fanout",
            EnableDeadLetter = Bool(resource, "enableDeadLetter", false),
            MaxLen = OptionalLong(resource, "maxLen"),
            MaxLenBytes = OptionalLong(resource, "maxLenBytes"),
            PublisherConfirm = Bool(resource, "publisherConfirm", false),
            ReconnectWait = TimeSpan.FromSeconds(Int(resource, "reconnectWaitSeconds", 3, 0, 3600)),
            TtlInSeconds = OptionalLong(resource, "ttlInSeconds"),
            HeartBeat = GoDuration.TryParse(resource.Get("heartBeat"), out var heartBeat) ? heartBeat : TimeSpan.FromSeconds(10),
            ClientName = resource.Get("clientName"),
            PublishMessagePropertiesToMetadata = Bool(resource, "publishMessagePropertiesToMetadata", false),
        };
    }

    // connectionString (or the deprecated `host`) wins; otherwise protocol://username:password@hostname, as daprd builds it.
    private static Uri AddressOf(ComponentResource resource)
    {
        var text = resource.Get("connectionString") is { Length: > 0 } connection ? connection : resource.Get("host");
        if (string.IsNullOrEmpty(text))
        {
            var protocol = resource.Get("protocol") is { Length: > 0 } p ? p : "amqp";
            var host = resource.Get("hostname") is { Length: > 0 } h ? h : "localhost";
            var user = resource.Get("username") is { Length: > 0 } u ? u : "guest";
            var password = resource.Get("password") ?? "guest";
            text = $"{protocol}://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@{host}";
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
            throw new InvalidOperationException($"{RabbitMqErrors.Unreachable}: the RabbitMQ connection string is not an amqp:// or amqps:// URI (connectionString, or protocol/hostname/username/password)");
        return uri;
    }

    private static bool Bool(ComponentResource resource, string key, bool fallback) =>
        resource.Get(key) is { Length: > 0 } text ? text.Trim().ToLowerInvariant() is "true" or "1" or "yes" or "y" or "on" : fallback;

    private static long Int(ComponentResource resource, string key, long fallback, long min, long max)
    {
        if (resource.Get(key) is not { Length: > 0 } text) return fallback;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new InvalidOperationException($"{ErrorCodes.InvalidMetadataValue}: metadata '{key}' must be a whole number from {min} to {max}, not '{text}'");
        return value;
    }

    private static long? OptionalLong(ComponentResource resource, string key) =>
        resource.Get(key) is { Length: > 0 } ? Int(resource, key, 0, 0, long.MaxValue) : null;
}
