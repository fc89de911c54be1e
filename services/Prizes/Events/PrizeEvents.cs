namespace Veltrix.Prizes.Events;

/// <summary>A claim that went through: the player has the voucher and paid the cost.</summary>
public sealed record PrizeClaimed(string ClaimId, string PrizeId, string PlayerId, string HuntId, long Cost, string Voucher);
