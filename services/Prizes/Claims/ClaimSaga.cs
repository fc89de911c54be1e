using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Veltrix.Events.Publishing;
using Veltrix.Prizes.Domain;
using Veltrix.Prizes.Events;
using Veltrix.Sagas;

namespace Veltrix.Prizes.Claims;

public sealed record ClaimInput(string PrizeId, string PlayerId, string HuntId);

/// <summary>The claim saga's data, persisted after every step.</summary>
public sealed class ClaimData
{
    public string PrizeId { get; set; } = "";
    public string PlayerId { get; set; } = "";
    public string HuntId { get; set; } = "";
    public string? PrizeName { get; set; }
    public int Cost { get; set; }
    public string? DebitId { get; set; }
    public int? BalanceAfter { get; set; }
    public string? Voucher { get; set; }
}

/// <summary>A voucher service that is briefly unavailable: retried by the step's policy.</summary>
public sealed class VoucherUnavailableException(string message) : Exception(message);

/// <summary>
/// prize-claim: reserve one unit (compensation: release it) → ask scoring to debit the cost (compensation: cancel the
/// debit, which refunds it or blocks it) → wait for scoring's answer (Rejected fails the claim for good: VX6103) →
/// issue a voucher (retried on transient failures) → publish prize.claimed. Every step is idempotent on its key.
/// </summary>
public static class ClaimSaga
{
    public const string Name = "prize-claim";
    public const string DebitSettledEvent = "debit-settled";

    public static SagaDefinition<ClaimInput, ClaimData> Build(ClaimOptions options) =>
        SagaDefinition.Create(Name, PrizesJson.Default.ClaimInput, PrizesJson.Default.ClaimData,
                input => new ClaimData { PrizeId = input.PrizeId, PlayerId = input.PlayerId, HuntId = input.HuntId })
            .Step("reserve-stock", ReserveAsync, ReleaseAsync, new StepOptions(new RetryPolicy(5, TimeSpan.FromMilliseconds(200), 2.0, TimeSpan.FromSeconds(5)),
                TimeSpan.FromSeconds(5)))
            .Step("request-debit", RequestDebitAsync, CancelDebitAsync, new StepOptions(new RetryPolicy(10, TimeSpan.FromMilliseconds(500), 2.0, TimeSpan.FromSeconds(5)),
                TimeSpan.FromSeconds(5)))
            .WaitForEvent(DebitSettledEvent, DebitSettledEvent, options.DebitTimeout, PrizesJson.Default.DebitSettled, ApplySettlement)
            .Step("issue-voucher", IssueVoucherAsync, options: new StepOptions(new RetryPolicy(5, TimeSpan.FromMilliseconds(200), 2.0, TimeSpan.FromSeconds(2)),
                TimeSpan.FromSeconds(5)))
            .Step("publish-claimed", PublishClaimedAsync, options: new StepOptions(new RetryPolicy(20, TimeSpan.FromMilliseconds(500), 2.0, TimeSpan.FromSeconds(5)),
                TimeSpan.FromSeconds(5)))
            .Build();

    private static async Task ReserveAsync(StepContext<ClaimData> ctx, CancellationToken cancellationToken)
    {
        var (outcome, prize) = await Store(ctx).ReserveAsync(ctx.Data.PrizeId, ctx.InstanceId, cancellationToken);
        switch (outcome)
        {
            case ReserveOutcome.NoSuchPrize:
                throw new NonRetryableStepException($"prize '{ctx.Data.PrizeId}' does not exist", PrizeErrorCodes.PrizeNotFound);
            case ReserveOutcome.OutOfStock:
                throw new NonRetryableStepException($"prize '{ctx.Data.PrizeId}' is out of stock (all {prize?.InitialStock} units are claimed)", PrizeErrorCodes.OutOfStock);
            case ReserveOutcome.Contended:
                throw new IOException($"the stock of prize '{ctx.Data.PrizeId}' kept changing; trying again");
        }
        ctx.Data.Cost = prize!.Cost;
        ctx.Data.PrizeName = prize.Name;
        ctx.CustomStatus = "unit reserved";
    }

    private static async Task ReleaseAsync(StepContext<ClaimData> ctx, CancellationToken cancellationToken)
    {
        if (!await Store(ctx).ReleaseAsync(ctx.Data.PrizeId, ctx.InstanceId, cancellationToken))
            throw new IOException($"the stock of prize '{ctx.Data.PrizeId}' kept changing; trying the release again");
        ctx.CustomStatus = "unit released";
    }

    private static async Task RequestDebitAsync(StepContext<ClaimData> ctx, CancellationToken cancellationToken)
    {
        // One id per claim (the step's idempotency key, without the slashes state keys and URLs dislike): scoring applies it once.
        var debitId = DebitIdOf(ctx);
        await Events(ctx).PublishOneAsync(EventTypes.DebitRequested, "debit:" + debitId,
            new DebitRequested(debitId, ctx.Data.HuntId, ctx.Data.PlayerId, ctx.Data.Cost, ctx.InstanceId), PrizesJson.Default.RoutedEventDebitRequested, cancellationToken);
        ctx.Data.DebitId = debitId;
        ctx.CustomStatus = "waiting for scoring";
    }

    private static async Task CancelDebitAsync(StepContext<ClaimData> ctx, CancellationToken cancellationToken)
    {
        var debitId = ctx.Data.DebitId ?? DebitIdOf(ctx);
        await Events(ctx).PublishOneAsync(EventTypes.DebitCancelled, "cancel:" + debitId, new DebitCancelled(debitId, ctx.Data.HuntId, ctx.Data.PlayerId),
            PrizesJson.Default.RoutedEventDebitCancelled, cancellationToken);
    }

    private static void ApplySettlement(StepContext<ClaimData> ctx, DebitSettled settled)
    {
        if (settled.Outcome != "Debited")
            throw new NonRetryableStepException(settled.Reason ?? $"scoring refused the debit ({settled.Outcome})", settled.Code ?? SagaErrorCodes.StepFailed);
        ctx.Data.BalanceAfter = settled.Balance;
        ctx.CustomStatus = "points debited";
    }

    private static async Task IssueVoucherAsync(StepContext<ClaimData> ctx, CancellationToken cancellationToken)
    {
        var options = ctx.Services.GetRequiredService<IOptions<ClaimOptions>>().Value;
        if (ctx.Attempt <= options.VoucherTransientFailures)
            throw new VoucherUnavailableException($"{PrizeErrorCodes.VoucherUnavailable}: the voucher service is unavailable (attempt {ctx.Attempt})");
        var code = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ctx.IdempotencyKey)))[..12];
        ctx.Data.Voucher = await Store(ctx).IssueVoucherAsync(ctx.InstanceId, $"VX-{code[..4]}-{code[4..8]}-{code[8..]}", cancellationToken);
        ctx.CustomStatus = "voucher issued";
    }

    private static async Task PublishClaimedAsync(StepContext<ClaimData> ctx, CancellationToken cancellationToken)
    {
        var d = ctx.Data;
        await Events(ctx).PublishOneAsync(EventTypes.PrizeClaimed, "claimed:" + ctx.InstanceId, new PrizeClaimed(ctx.InstanceId, d.PrizeId, d.PlayerId, d.HuntId, d.Cost, d.Voucher!),
            PrizesJson.Default.RoutedEventPrizeClaimed, cancellationToken);
        ctx.CustomStatus = "claimed";
    }

    private static string DebitIdOf(StepContext<ClaimData> ctx) => ctx.IdempotencyKey.Replace("/compensate", "", StringComparison.Ordinal).Replace('/', '.');

    private static PrizeStore Store(StepContext<ClaimData> ctx) => ctx.Services.GetRequiredService<PrizeStore>();

    private static EventPublisher Events(StepContext<ClaimData> ctx) => ctx.Services.GetRequiredService<EventPublisher>();
}
