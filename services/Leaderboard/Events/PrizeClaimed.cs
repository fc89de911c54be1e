namespace Veltrix.Leaderboard.Events;

/// <summary>What prizes publishes when a claim went through (the voucher is not read here).</summary>
public sealed record PrizeClaimed(string? ClaimId, string? PrizeId, string? PlayerId, string? HuntId, long Cost);
