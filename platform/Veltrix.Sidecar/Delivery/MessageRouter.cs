using System.Globalization;
using System.Text.Json;
using Veltrix.Resources.Cel;
using Veltrix.Resources.Subscriptions;
using Veltrix.Sidecar.CloudEvents;
using Veltrix.Sidecar.Components.PubSub;

namespace Veltrix.Sidecar.Delivery;

/// <summary>What the router decided before any call to the app (contract §2.3, "before the HTTP call").</summary>
public abstract record RoutingDecision
{
    public sealed record Deliver(RoutedMessage Message) : RoutingDecision;

    /// <summary>Acked without delivery (expired, or no rule matched); a copy goes to the dead-letter topic if one is set.</summary>
    public sealed record Drop(string Reason) : RoutingDecision;

    /// <summary>Not deliverable (unparseable, rule evaluation error): dead-letter topic, else an error to the component.</summary>
    public sealed record Fail(string Reason) : RoutingDecision;
}

/// <summary>Parses the broker payload, applies rawPayload and expiration, and evaluates the routing rules in order.</summary>
public sealed class MessageRouter(SubscriptionResource subscription, TimeProvider time)
{
    public RoutingDecision Route(PubSubMessage message)
    {
        var body = subscription.RawPayload
            ? CloudEventEnvelope.WrapRawForDelivery(message.Data.Span, subscription.PubSubName, message.Topic, message.Metadata)
            : message.Data.ToArray();
        JsonElement envelope;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return new RoutingDecision.Fail("the message is not a JSON object (CloudEvent)");
            envelope = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return new RoutingDecision.Fail($"the message is not valid JSON: {e.Message}");
        }

        if (envelope.TryGetProperty("expiration", out var expiration) && expiration.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(expiration.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires)
            && expires < time.GetUtcNow())
            return new RoutingDecision.Drop($"the message expired at {expiration.GetString()}");

        string? path = null;
        foreach (var rule in subscription.Rules)
        {
            try
            {
                if (rule.Match is null || rule.Match.Evaluate(envelope))
                {
                    path = rule.Path;
                    break;
                }
            }
            catch (CelEvaluationException e)
            {
                return new RoutingDecision.Fail($"routing rule '{rule.Match!.Text}' could not be evaluated: {e.Message}");
            }
        }
        path ??= subscription.DefaultRoute;
        return path is null
            ? new RoutingDecision.Drop("no routing rule matched and the subscription has no default route")
            : new RoutingDecision.Deliver(new RoutedMessage(path, body, envelope, message.Metadata));
    }
}
