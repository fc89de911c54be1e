namespace Veltrix.Prizes.Domain;

/// <summary>A prize and how many units are left (<see cref="Stock"/>) of the <see cref="InitialStock"/>.</summary>
public sealed record StoredPrize(string Id, string Name, long Cost, int InitialStock, int Stock);

/// <summary>
/// One claim's hold on one unit, written first-write in the same transaction that takes the unit from the stock:
/// its existence makes a repeated reserve take nothing more; <see cref="Released"/> makes a repeated release give nothing more.
/// </summary>
public sealed record Reservation(string PrizeId, string ClaimId, bool Released);

/// <summary>A voucher code issued to one claim (first-write, so a repeat returns the same code).</summary>
public sealed record Voucher(string ClaimId, string Code);
