using Microsoft.AspNetCore.Http;

namespace Veltrix.Dapr.AspNetCore;

/// <summary>
/// An attribute (<c>[Topic]</c>) can add metadata to an endpoint but not a filter, so endpoints subscribed only by
/// attribute are checked by middleware instead (<c>UseCloudEvents</c> and the pipeline hook of <c>MapSubscribeHandler</c>).
/// </summary>
internal static class DaprAppTokenFallback
{
    public static bool NeedsCheck(HttpContext context) =>
        context.GetEndpoint()?.Metadata is { } metadata
        && metadata.GetMetadata<DaprAppTokenRequiredMetadata>() is null
        && (metadata.GetMetadata<ITopicMetadata>() is not null || metadata.GetMetadata<IBulkSubscribeMetadata>() is not null);

    /// <summary>True when the request may continue; otherwise the 401 has been written.</summary>
    public static async ValueTask<bool> CheckAsync(HttpContext context)
    {
        if (!NeedsCheck(context) || DaprAppTokenGuard.IsAuthorized(context)) return true;
        await DaprAppTokenGuard.RejectAsync(context);
        return false;
    }
}
