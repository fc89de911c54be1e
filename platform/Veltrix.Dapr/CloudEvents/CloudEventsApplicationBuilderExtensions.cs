using Veltrix.Dapr.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

public static class CloudEventsApplicationBuilderExtensions
{
    /// <summary>
    /// Unwraps CloudEvent deliveries so topic handlers bind the event data directly; read the envelope with
    /// <c>HttpContext.GetCloudEvent()</c>. Place it before the endpoints (as the Dapr SDK's <c>UseCloudEvents</c>).
    /// </summary>
    public static IApplicationBuilder UseCloudEvents(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<CloudEventsMiddleware>();
    }
}
