using System.Diagnostics.Metrics;

namespace Veltrix.Gateway.Ingest;

/// <summary>
/// Requests the gateway refused before reading them, by why (<c>reason</c>: <c>in_flight</c> — MaxInFlightRequests
/// reached; <c>broker_full</c> — the gate closed after the broker refused events) and requests whose events the broker
/// refused whole (<c>reason</c>: <c>broker_refused</c>). Prometheus: <c>veltrix_gateway_requests_refused_total</c>.
/// Events refused inside a 202 are counted by the publisher (<c>veltrix_events_publish_failed_total</c>).
/// </summary>
public sealed class IngestMetrics
{
    public const string MeterName = "Veltrix.Gateway";
    private readonly Counter<long> _refused;

    public IngestMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _refused = meterFactory.Create(MeterName).CreateCounter<long>("veltrix.gateway.requests.refused", "{request}",
            "Requests answered 429 because the gateway or the broker behind it is full.");
    }

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
