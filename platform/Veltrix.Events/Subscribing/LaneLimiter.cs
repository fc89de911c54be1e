using Microsoft.Extensions.Options;
using Veltrix.Events.Model;

namespace Veltrix.Events.Subscribing;

/// <summary>
/// Delivery slots per lane in one app. Each lane has its own slots, so a flood of bulk events waits for bulk slots
/// and never takes the critical lane's; waiting is bounded by the sidecar's own in-flight limit.
/// </summary>
public sealed class LaneLimiter(IOptions<EventsOptions> options)
{
    private readonly SemaphoreSlim _critical = new(options.Value.CriticalSlots);
    private readonly SemaphoreSlim _standard = new(options.Value.StandardSlots);
    private readonly SemaphoreSlim _bulk = new(options.Value.BulkSlots);

    public SemaphoreSlim For(Lane lane) => lane switch
    {
        Lane.Critical => _critical,
        Lane.Bulk => _bulk,
        _ => _standard,
    };
}
