using Microsoft.Extensions.Options;

namespace Veltrix.Gateway.Ingest;

/// <summary>A bound on requests in progress: a request either gets a slot at once or is told to come back (429).</summary>
public sealed class InFlightLimiter(IOptions<GatewayOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxInFlightRequests, options.Value.MaxInFlightRequests);

    public bool TryEnter() => _slots.Wait(0);

    public void Exit() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
