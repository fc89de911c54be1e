using Veltrix.Resources.Subscriptions;
using Veltrix.Sidecar.Components.PubSub;
using Veltrix.Sidecar.Resiliency;

namespace Veltrix.Sidecar.Delivery;

/// <summary>
/// One app's live subscription to one topic: routes each message, delivers it (singly or in bulk) under the inbound
/// resiliency policy, and settles it by daprd's rules — success acks; DROP, 404, expiry and no matching rule ack and
/// copy to the dead-letter topic; a failure that outlives its retries goes to the dead-letter topic, or back to the
/// component as an error when there is none.
/// </summary>
public sealed class ActiveSubscription : IAsyncDisposable
{
    private static readonly HashSet<string> UnforwardedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "content-length", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host",
    };

    private readonly IPubSub _pubSub;
    private readonly AppChannel _channel;
    private readonly InboundPolicy _policy;
    private readonly MessageRouter _router;
    private readonly BulkBatcher? _bulk;
    private readonly ILogger _logger;
    private readonly string _appId;
    private IAsyncDisposable? _subscription;

    public ActiveSubscription(string appId, SubscriptionResource spec, IPubSub pubSub, AppChannel channel, InboundPolicy policy, TimeProvider time, ILogger logger)
    {
        _appId = appId;
        Spec = spec;
        _pubSub = pubSub;
        _channel = channel;
        _policy = policy;
        _logger = logger;
        _router = new MessageRouter(spec, time);
        _bulk = spec.BulkSubscribe is { Enabled: true } ? new BulkBatcher(spec, channel, policy, time) : null;
    }

    public SubscriptionResource Spec { get; }

    public async Task StartAsync(int concurrency, CancellationToken cancellationToken)
    {
        var inFlight = _bulk?.WantedConcurrency ?? concurrency;
        _subscription = await _pubSub.SubscribeAsync(new PubSubSubscription(_appId, Spec.Topic, Spec.Metadata, inFlight), HandleAsync, cancellationToken);
    }

    public async Task HandleAsync(PubSubMessage message, CancellationToken cancellationToken)
    {
        switch (_router.Route(message))
        {
            case RoutingDecision.Fail fail:
                await DeadLetterOrFailAsync(message, fail.Reason, cancellationToken);
                return;
            case RoutingDecision.Drop drop:
                _logger.LogWarning("{App}: message on topic {Topic} dropped: {Reason}", _appId, Spec.Topic, drop.Reason);
                await DeadLetterIfConfiguredAsync(message, cancellationToken);
                return;
            case RoutingDecision.Deliver deliver:
                var outcome = _bulk is not null ? await _bulk.SubmitAsync(deliver.Message) : await DeliverAsync(deliver.Message, cancellationToken);
                await SettleAsync(message, outcome, cancellationToken);
                return;
        }
    }

    private Task<DeliveryOutcome> DeliverAsync(RoutedMessage routed, CancellationToken cancellationToken) =>
        _policy.ExecuteAsync(
            async token => DeliveryOutcome.From(await _channel.SendAsync(HttpMethod.Post, routed.Path, routed.Body, "application/cloudevents+json", Headers(routed), token)),
            outcome => outcome.Verdict,
            () => new DeliveryOutcome(DeliveryStatus.Retry, null, $"circuit breaker '{_policy.Breaker?.Name}' is open"),
            cancellationToken);

    private async Task SettleAsync(PubSubMessage message, DeliveryOutcome outcome, CancellationToken cancellationToken)
    {
        switch (outcome.Status)
        {
            case DeliveryStatus.Success or DeliveryStatus.Discard:
                return;
            case DeliveryStatus.Drop:
                _logger.LogWarning("{App}: message on topic {Topic} dropped: {Reason}", _appId, Spec.Topic, outcome.Reason);
                await DeadLetterIfConfiguredAsync(message, cancellationToken);
                return;
            default:
                await DeadLetterOrFailAsync(message, outcome.Reason, cancellationToken);
                return;
        }
    }

    private async Task DeadLetterOrFailAsync(PubSubMessage message, string reason, CancellationToken cancellationToken)
    {
        if (Spec.DeadLetterTopic is null)
            throw new DeliveryFailedException($"delivery of a message on topic {Spec.Topic} to app {_appId} failed: {reason}");
        _logger.LogWarning("{App}: message on topic {Topic} goes to dead-letter topic {DeadLetter}: {Reason}", _appId, Spec.Topic, Spec.DeadLetterTopic, reason);
        await DeadLetterIfConfiguredAsync(message, cancellationToken);
    }

    // The original broker bytes and metadata, republished on the same component (contract §2.3).
    private async Task DeadLetterIfConfiguredAsync(PubSubMessage message, CancellationToken cancellationToken)
    {
        if (Spec.DeadLetterTopic is { } deadLetter)
            await _pubSub.PublishAsync(message with { Topic = deadLetter }, cancellationToken);
    }

    private IEnumerable<KeyValuePair<string, string>> Headers(RoutedMessage routed)
    {
        yield return new("pubsubname", Spec.PubSubName);
        foreach (var (key, value) in routed.Metadata)
            if (!UnforwardedHeaders.Contains(key) && !key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)) yield return new(key, value);
        foreach (var trace in (string[])["traceparent", "tracestate"])
            if (routed.Event.TryGetProperty(trace, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                yield return new(trace, text);
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null) await _subscription.DisposeAsync();
        if (_bulk is not null) await _bulk.DisposeAsync();
    }
}
