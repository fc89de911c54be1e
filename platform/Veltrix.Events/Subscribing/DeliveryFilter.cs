using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Veltrix.Events.Model;

namespace Veltrix.Events.Subscribing;

/// <summary>Runs a consumer's handler inside its lane's slots and its own max-concurrency.</summary>
internal sealed class DeliveryFilter(Lane lane, int? maxConcurrency) : IEndpointFilter
{
    private readonly SemaphoreSlim? _own = maxConcurrency is { } n ? new SemaphoreSlim(n) : null;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var slots = context.HttpContext.RequestServices.GetRequiredService<LaneLimiter>().For(lane);
        var aborted = context.HttpContext.RequestAborted;
        await slots.WaitAsync(aborted);
        try
        {
            if (_own is null) return await next(context);
            await _own.WaitAsync(aborted);
            try
            {
                return await next(context);
            }
            finally
            {
                _own.Release();
            }
        }
        finally
        {
            slots.Release();
        }
    }
}
