using Microsoft.AspNetCore.Http;
using Veltrix.Dapr.AspNetCore;

namespace Microsoft.AspNetCore.Http;

public static class CloudEventHttpContextExtensions
{
    /// <summary>The CloudEvent attributes of this delivery (id, source, type, topic, …), or null when none was unwrapped.</summary>
    public static CloudEventEnvelope? GetCloudEvent(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<ICloudEventFeature>()?.CloudEvent;
    }
}
