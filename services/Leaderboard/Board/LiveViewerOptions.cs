using System.ComponentModel.DataAnnotations;

namespace Veltrix.Leaderboard.Board;

/// <summary>How many live pages the leaderboard serves (configuration section "Leaderboard"), checked at start-up.</summary>
public sealed class LiveViewerOptions
{
    /// <summary>Live pages in all; past it a new one is 429.</summary>
    [Range(1, 100_000)]
    public int MaxViewers { get; set; } = 1_000;

    /// <summary>
    /// Live pages of one client address, so that one client cannot take every slot. Behind a reverse proxy every
    /// viewer has the proxy's address unless forwarded headers are on (`ASPNETCORE_FORWARDEDHEADERS_ENABLED=true`, as
    /// deploy/ sets it behind its Ingress).
    /// </summary>
    [Range(1, 100_000)]
    public int MaxViewersPerClient { get; set; } = 16;
}
