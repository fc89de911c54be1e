using System.ComponentModel.DataAnnotations;

namespace Veltrix.Gateway.Ingest;

/// <summary>The gateway's bounds (configuration section "Gateway"), checked at start-up.</summary>
public sealed class GatewayOptions
{
    /// <summary>Most events one request may carry; more is 413.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>Requests being processed at once; past it the gateway answers 429 with Retry-After.</summary>
    [Range(1, 10_000)]
    public int MaxInFlightRequests { get; set; } = 64;

    /// <summary>How long the gateway refuses requests (429) after the broker refused events, at first (see DownstreamGate).</summary>
    [Range(1, 60_000)]
    public int MinClosedMilliseconds { get; set; } = 50;

    /// <summary>The longest it refuses at a time while the broker keeps refusing.</summary>
    [Range(1, 60_000)]
    public int MaxClosedMilliseconds { get; set; } = 1_000;
}
