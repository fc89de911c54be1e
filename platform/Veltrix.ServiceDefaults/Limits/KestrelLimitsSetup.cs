using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Veltrix.ServiceDefaults.Limits;

/// <summary>
/// Applies <see cref="ServiceLimitsOptions"/> to Kestrel, and bounds request headers: services take small JSON requests
/// with a trace header and a token, so the defaults (100 headers, 32 KiB) are more than an honest client needs.
/// </summary>
internal sealed class KestrelLimitsSetup(IOptions<ServiceLimitsOptions> limits) : IConfigureOptions<KestrelServerOptions>
{
    public const int MaxRequestHeaderCount = 64;
    public const int MaxRequestHeadersTotalSize = 16 * 1024;

    public void Configure(KestrelServerOptions options)
    {
        options.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes;
        options.Limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        options.Limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        options.Limits.Http2.MaxRequestHeaderFieldSize = MaxRequestHeadersTotalSize;
    }
}
