namespace Veltrix.Prizes.Apis;

public sealed record CreatePrizeRequest(string? Name, int Cost, int Stock);

public sealed record PrizeView(string Id, string Name, int Cost, int InitialStock, int Stock);

/// <param name="ClaimId">Optional: the same id on a retried request starts no second claim (letters, digits, '-', '_').</param>
public sealed record ClaimRequest(string? PlayerId, string? HuntId, string? ClaimId);

public sealed record ClaimAccepted(string InstanceId);

/// <summary>A claim as its player sees it: the status, the voucher once issued, and why it failed if it did.</summary>
public sealed record ClaimView(string InstanceId, string PrizeId, string PlayerId, string Status, string? Voucher, string? FailureCode, string? Failure);
