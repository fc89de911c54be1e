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

/// <summary>
/// Checks the broker payload is a CloudEvent object, applies rawPayload and expiration, and evaluates the routing
/// rules in order. The envelope's top level is read with one forward pass; a full document is built only when
/// there are rules to evaluate.
/// </summary>
public sealed class MessageRouter(SubscriptionResource subscription, TimeProvider time)
{
    public RoutingDecision Route(PubSubMessage message)
    {
        // The broker's bytes are never changed after publishing, so the delivery refers to them rather than copying.
        var body = subscription.RawPayload
            ? CloudEventEnvelope.WrapRawForDelivery(message.Data.Span, subscription.PubSubName, message.Topic, message.Metadata)
            : message.Data;
        if (ReadTopLevel(body.Span) is not { } attributes) return new RoutingDecision.Fail("the message is not a JSON object (a CloudEvent)");

        if (attributes.Expiration is { } expiration
            && DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires)
            && expires < time.GetUtcNow())
            return new RoutingDecision.Drop($"the message expired at {expiration}");

        string? path = null;
        if (subscription.Rules.Count > 0)
        {
            using var document = JsonDocument.Parse(body);
            foreach (var rule in subscription.Rules)
            {
                try
                {
                    if (rule.Match is null || rule.Match.Evaluate(document.RootElement))
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
        }
        path ??= subscription.DefaultRoute;
        return path is null
            ? new RoutingDecision.Drop("no routing rule matched and the subscription has no default route")
            : new RoutingDecision.Deliver(new RoutedMessage(path, body, message.Data, message.Metadata, attributes.TraceParent, attributes.TraceState));
    }

    private sealed record TopLevel(string? Expiration, string? TraceParent, string? TraceState);

    /// <summary>Null when the bytes are not one JSON object.</summary>
    private static TopLevel? ReadTopLevel(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        string? expiration = null, traceParent = null, traceState = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueTextEquals("expiration"u8) ? 1 : reader.ValueTextEquals("traceparent"u8) ? 2 : reader.ValueTextEquals("tracestate"u8) ? 3 : 0;
                reader.Read();
                if (name > 0 && reader.TokenType == JsonTokenType.String)
                {
                    var value = reader.GetString();
                    if (name == 1) expiration = value;
                    else if (name == 2) traceParent = value;
                    else traceState = value;
                }
                else reader.Skip();
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return null; // trailing content
        }
        catch (JsonException)
        {
            return null;
        }
        return new TopLevel(expiration, traceParent, traceState);
    }
}
