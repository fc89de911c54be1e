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
    private readonly BulkDelivery? _bulk;
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
        _bulk = spec.BulkSubscribe is { Enabled: true } ? new BulkDelivery(spec, channel, policy) : null;
    }

    public SubscriptionResource Spec { get; }

    public async Task StartAsync(int concurrency, CancellationToken cancellationToken)
    {
        // A bulk subscription gets whole batches from the component, one at a time, as under daprd: a batch is what came
        // while the app answered the previous one (BatchFill). More batches in flight only queued inside apps that apply
        // a batch at a time (scoring's ledger rounds, the leaderboard's pages) and kept every batch small.
        var subscription = Spec.BulkSubscribe is { Enabled: true } bulk
            ? new PubSubSubscription(_appId, Spec.Topic, Spec.Metadata, MaxConcurrency: 1, bulk.MaxMessagesCount)
            : new PubSubSubscription(_appId, Spec.Topic, Spec.Metadata, concurrency);
        _subscription = await _pubSub.SubscribeAsync(subscription, HandleAsync, cancellationToken);
    }

    public async Task<IReadOnlyList<MessageFailure>> HandleAsync(IReadOnlyList<PubSubMessage> messages, CancellationToken cancellationToken)
    {
        var failures = new List<MessageFailure>();
        var routed = new List<(int Index, RoutedMessage Message)>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            switch (_router.Route(messages[i]))
            {
                case RoutingDecision.Fail fail:
                    await DeadLetterOrFailAsync(messages[i], i, fail.Reason, failures, cancellationToken);
                    break;
                case RoutingDecision.Drop drop:
                    _logger.LogWarning("{App}: message on topic {Topic} dropped: {Reason}", _appId, Spec.Topic, drop.Reason);
                    await DeadLetterIfConfiguredAsync(messages[i], drop.Reason, cancellationToken);
                    break;
                case RoutingDecision.Deliver deliver:
                    routed.Add((i, deliver.Message));
                    break;
            }
        }
        if (routed.Count == 0) return failures;

        DeliveryOutcome[] outcomes;
        if (_bulk is not null) outcomes = await _bulk.DeliverAsync(routed.Select(r => r.Message).ToList(), cancellationToken);
        else
        {
            outcomes = new DeliveryOutcome[routed.Count];
            for (var r = 0; r < routed.Count; r++) outcomes[r] = await DeliverAsync(routed[r].Message, cancellationToken);
        }
        for (var r = 0; r < routed.Count; r++) await SettleAsync(messages[routed[r].Index], routed[r].Index, outcomes[r], failures, cancellationToken);
        return failures;
    }

    private Task<DeliveryOutcome> DeliverAsync(RoutedMessage routed, CancellationToken cancellationToken) =>
        _policy.ExecuteAsync(
            async token => DeliveryOutcome.From(await _channel.SendAsync(HttpMethod.Post, routed.Path, routed.Body, "application/cloudevents+json", Headers(routed), token)),
            outcome => outcome.Verdict,
            () => new DeliveryOutcome(DeliveryStatus.Retry, null, $"circuit breaker '{_policy.Breaker?.Name}' is open"),
            cancellationToken);

    private async Task SettleAsync(PubSubMessage message, int index, DeliveryOutcome outcome, List<MessageFailure> failures, CancellationToken cancellationToken)
    {
        switch (outcome.Status)
        {
            case DeliveryStatus.Success or DeliveryStatus.Discard:
                return;
            case DeliveryStatus.Drop:
                _logger.LogWarning("{App}: message on topic {Topic} dropped: {Reason}", _appId, Spec.Topic, outcome.Reason);
                await DeadLetterIfConfiguredAsync(message, outcome.Reason, cancellationToken);
                return;
            default:
                await DeadLetterOrFailAsync(message, index, outcome.Reason, failures, cancellationToken);
                return;
        }
    }

    private async Task DeadLetterOrFailAsync(PubSubMessage message, int index, string reason, List<MessageFailure> failures, CancellationToken cancellationToken)
    {
        if (Spec.DeadLetterTopic is null)
        {
            failures.Add(new MessageFailure(index, $"delivery to app {_appId} failed: {reason}"));
            return;
        }
        _logger.LogWarning("{App}: message on topic {Topic} goes to dead-letter topic {DeadLetter}: {Reason}", _appId, Spec.Topic, Spec.DeadLetterTopic, reason);
        await DeadLetterIfConfiguredAsync(message, $"delivery to app {_appId} failed: {reason}", cancellationToken);
    }

    /// <summary>
    /// The original broker bytes and metadata, republished on the same component (contract §2.3), plus one metadata
    /// entry daprd does not add: <see cref="DeadLetterCause.MetadataKey"/>, why the message went there.
    /// </summary>
    private async Task DeadLetterIfConfiguredAsync(PubSubMessage message, string cause, CancellationToken cancellationToken)
    {
        if (Spec.DeadLetterTopic is not { } deadLetter) return;
        var metadata = new Dictionary<string, string>(message.Metadata, StringComparer.Ordinal) { [DeadLetterCause.MetadataKey] = Truncate(cause) };
        await _pubSub.PublishAsync(message with { Topic = deadLetter, Metadata = metadata }, cancellationToken);
    }

    private static string Truncate(string cause)
    {
        var printable = new string([.. cause.Take(300).Select(c => char.IsControl(c) ? ' ' : c)]);
        return printable.Length == cause.Length ? printable : printable + "…";
    }

    private IEnumerable<KeyValuePair<string, string>> Headers(RoutedMessage routed)
    {
        yield return new("pubsubname", Spec.PubSubName);
        foreach (var (key, value) in routed.Metadata)
            if (!UnforwardedHeaders.Contains(key) && !key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)) yield return new(key, value);
        if (routed.TraceParent is { Length: > 0 } traceParent) yield return new("traceparent", traceParent);
        if (routed.TraceState is { Length: > 0 } traceState) yield return new("tracestate", traceState);
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null) await _subscription.DisposeAsync();
    }
}
