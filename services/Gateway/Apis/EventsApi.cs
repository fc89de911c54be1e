using System.Text.Json;
using Microsoft.Extensions.Options;
using Veltrix.Events.Publishing;
using Veltrix.Events.Routing;
using Veltrix.Gateway.Ingest;
using Veltrix.ServiceDefaults;
using Veltrix.ServiceDefaults.Security;

namespace Veltrix.Gateway.Apis;

public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/events", IngestAsync).Accepts<JsonElement>("application/json");
        return app;
    }

    /// <summary>
    /// One event or an array of them, checked against the active event configuration (its types and their schemas). Valid
    /// ones are published in one bulk call per type, all routed under the version read at the start of the request; every
    /// event gets an answer: counted as accepted, or listed under rejected with its index, a VX code and the reason. Only
    /// accepted events travel on.
    /// Overload is refused before the body is read, so a flood costs no parsing: past the in-flight bound, and while the
    /// <see cref="DownstreamGate"/> is closed because the broker refused events a moment ago — 429 VX3006 with Retry-After
    /// either way. A request whose events the broker refused, all of them, is a 429 too (send the same request again);
    /// only a request that was partly accepted lists refused events inside its 202. Malformed JSON and a wrong
    /// Content-Type surface as exceptions that the service defaults answer with VX3001 / VX3005.
    /// </summary>
    private static async Task<IResult> IngestAsync(HttpRequest request, InFlightLimiter limiter, DownstreamGate gate, IngestMetrics metrics,
        IOptions<GatewayOptions> options, ActiveRouting routing, EventPublisher publisher, PlayerTokens tokens, CancellationToken cancellationToken)
    {
        var closed = gate.ClosedFor;
        if (closed > TimeSpan.Zero)
        {
            metrics.Refused("broker_full");
            return BrokerFull(closed);
        }
        if (!limiter.TryEnter())
        {
            metrics.Refused("in_flight");
            return Problems.Overloaded(StatusCodes.Status429TooManyRequests, "Too many requests",
                $"the gateway is processing {options.Value.MaxInFlightRequests} requests already; retry after 1 second");
        }
        try
        {
            if (!request.HasJsonContentType())
                throw new BadHttpRequestException("Expected a supported JSON media type.", StatusCodes.Status415UnsupportedMediaType);
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            var body = document.RootElement;
            var items = body.ValueKind switch
            {
                JsonValueKind.Array => body.EnumerateArray().ToList(),
                JsonValueKind.Object => [body],
                _ => null,
            };
            if (items is null) return Problems.Validation("the body must be one event object or an array of events");
            if (items.Count > options.Value.MaxBatchSize)
                return Problems.Create(StatusCodes.Status413PayloadTooLarge, ServiceErrorCodes.PayloadTooLarge, "Too many events",
                    $"a request carries at most {options.Value.MaxBatchSize} events; this one has {items.Count}; split it");

            var routes = routing.Current;
            var bearer = PlayerTokens.FromBearer(request);
            var checkedEvents = items.Select((item, index) => EventValidator.Check(item, index, routes, publisher.AppId, tokens, bearer)).ToList();
            var rejected = checkedEvents.OfType<Checked.Rejected>().Select(r => new RejectedEvent(r.Index, r.Code, r.Message)).ToList();
            var accepted = checkedEvents.OfType<Checked.Accepted>().ToList();
            // The gate may have closed while this request was read and checked: publishing now would only be refused too.
            if (accepted.Count > 0 && gate.ClosedFor is var closedNow && closedNow > TimeSpan.Zero)
            {
                metrics.Refused("broker_full");
                return BrokerFull(closedNow);
            }
            var refusedByBroker = 0;
            string? refusal = null;
            foreach (var ofType in accepted.GroupBy(a => a.Type))
            {
                var events = ofType.Select(a => new OutgoingEvent<JsonElement>(a.Id, a.Data, a.Index.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
                var failures = await publisher.PublishAsync(routes, ofType.Key, events, GatewayJson.Default.RoutedEventJsonElement, cancellationToken);
                foreach (var (entry, error) in failures)
                    rejected.Add(new RejectedEvent(int.Parse(entry, System.Globalization.CultureInfo.InvariantCulture), ServiceErrorCodes.Overloaded,
                        $"not accepted by the broker, resend it: {error}"));
                refusedByBroker += failures.Count;
                refusal ??= failures.Count > 0 ? failures[0].Error : null;
            }
            if (refusedByBroker == 0)
            {
                if (accepted.Count > 0) gate.Accepted();
            }
            else
            {
                gate.Refused();
                // Nothing got through and nothing was wrong with the events: the same request, sent again later, is the answer.
                if (refusedByBroker == items.Count)
                {
                    metrics.Refused("broker_refused");
                    return BrokerFull(gate.ClosedFor, refusal);
                }
            }
            rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
            return TypedResults.Accepted((string?)null, new IngestResult(items.Count - rejected.Count, rejected));
        }
        finally
        {
            limiter.Exit();
        }
    }

    private static IResult BrokerFull(TimeSpan closedFor, string? refusal = null) =>
        Problems.Overloaded(StatusCodes.Status429TooManyRequests, "Too many requests",
            "the broker behind the gateway is full and refuses events for now" + (refusal is null ? "" : $" ({refusal})") +
            "; nothing of this request was accepted, send it again after Retry-After",
            retryAfterSeconds: Math.Max(1, (int)Math.Ceiling(closedFor.TotalSeconds)));
}
