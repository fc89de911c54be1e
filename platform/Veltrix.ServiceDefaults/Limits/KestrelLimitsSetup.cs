using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Veltrix.ServiceDefaults.Limits;

/// <summary>
/// Applies <see cref="ServiceLimitsOptions"/> to Kestrel, and bounds request headers: services take small JSON requests
/// with a trace header and a token, so the defaults (100 headers, 32 KiB) are more than an honest client needs. The
/// service's own bounds (<see cref="MaxRequestHeaderCount"/>, <see cref="MaxRequestHeadersTotalSize"/>, an 8 KiB URL)
/// are enforced by <see cref="RequestHeadLimitMiddleware"/>, which answers with a VX code; Kestrel's limits sit
/// <see cref="KestrelHeadroom"/> times higher, because Kestrel refuses with a bare status that names nothing.
/// </summary>
internal sealed class KestrelLimitsSetup(IOptions<ServiceLimitsOptions> limits) : IConfigureOptions<KestrelServerOptions>
{
    public const int MaxRequestHeaderCount = 64;
    public const int MaxRequestHeadersTotalSize = 16 * 1024;
    private const int KestrelHeadroom = 4;

    public void Configure(KestrelServerOptions options)
    {
        options.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes;
        options.Limits.MaxRequestHeaderCount = MaxRequestHeaderCount * KestrelHeadroom;
        options.Limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize * KestrelHeadroom;
        options.Limits.MaxRequestLineSize = RequestHeadLimitMiddleware.MaxRequestTargetLength * KestrelHeadroom;
        options.Limits.Http2.MaxRequestHeaderFieldSize = MaxRequestHeadersTotalSize * KestrelHeadroom;
    }
}
