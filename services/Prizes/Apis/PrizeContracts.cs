namespace Veltrix.Prizes.Apis;

public sealed record CreatePrizeRequest(string? Name, long Cost, int Stock);

public sealed record PrizeView(string Id, string Name, long Cost, int InitialStock, int Stock);

/// <param name="ClaimId">Optional: the same id on a retried request starts no second claim (1–64 letters, digits, '-', '_').</param>
public sealed record ClaimRequest(string? PlayerId, string? HuntId, string? ClaimId);

/// <summary>The claim's id, which is also its Dapr workflow instance id.</summary>
public sealed record ClaimAccepted(string InstanceId);

/// <summary>
/// A claim as its player sees it: the status (RUNNING while it runs; COMPLETED, COMPENSATED or FAILED once it ended), the
/// voucher once issued, why it failed if it did, and the step it is at.
/// </summary>
public sealed record ClaimView(string InstanceId, string PrizeId, string PlayerId, string Status, string? Voucher, string? FailureCode, string? Failure,
    string? Progress);
