using System.Text.Json;
using Dapr;
using Dapr.Client;
using Veltrix.ServiceDefaults.State;

namespace Veltrix.Prizes.Domain;

public enum ReserveOutcome
{
    Reserved,
    OutOfStock,
    NoSuchPrize,

    /// <summary>The stock kept changing under every attempt: try again later (the workflow retries the activity).</summary>
    Contended,
}

/// <summary>
/// Prizes and their stock in the state store. Reserving and releasing are transactions of the prize (compare-and-swap
/// on its ETag) and the claim's <see cref="Reservation"/> (first-write, then compare-and-swap), so the stock can never be
/// oversold and a repeated reserve or release — a workflow activity run twice — changes nothing.
/// </summary>
public sealed class PrizeStore(DaprClient dapr)
{
    public const string StateStore = "statestore";
    private const int MaxAttempts = 30;
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public async Task<StoredPrize> CreateAsync(string name, long cost, int stock, CancellationToken cancellationToken)
    {
        var prize = new StoredPrize(Guid.NewGuid().ToString("N")[..12], name, cost, stock, stock);
        await dapr.SaveStateAsync(StateStore, PrizeKey(prize.Id), prize, FirstWrite, cancellationToken: cancellationToken);
        return prize;
    }

    public Task<StoredPrize?> FindAsync(string prizeId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<StoredPrize?>(StateStore, PrizeKey(prizeId), cancellationToken: cancellationToken);

    public async Task<(ReserveOutcome Outcome, StoredPrize? Prize)> ReserveAsync(string prizeId, string claimId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var (prize, prizeETag) = await dapr.GetStateAndETagAsync<StoredPrize?>(StateStore, PrizeKey(prizeId), cancellationToken: cancellationToken);
            if (prize is null) return (ReserveOutcome.NoSuchPrize, null);
            var reservation = await dapr.GetStateAsync<Reservation?>(StateStore, ReservationKey(prizeId, claimId), cancellationToken: cancellationToken);
            if (reservation is not null) return (reservation.Released ? ReserveOutcome.OutOfStock : ReserveOutcome.Reserved, prize); // a repeat
            if (prize.Stock <= 0) return (ReserveOutcome.OutOfStock, prize);
            try
            {
                await dapr.ExecuteStateTransactionAsync(StateStore,
                [
                    new StateTransactionRequest(ReservationKey(prizeId, claimId),
                        JsonSerializer.SerializeToUtf8Bytes(new Reservation(prizeId, claimId, false), PrizesJson.Default.Reservation), StateOperationType.Upsert, options: FirstWrite),
                    new StateTransactionRequest(PrizeKey(prizeId),
                        JsonSerializer.SerializeToUtf8Bytes(prize with { Stock = prize.Stock - 1 }, PrizesJson.Default.StoredPrize), StateOperationType.Upsert, prizeETag),
                ], cancellationToken: cancellationToken);
                return (ReserveOutcome.Reserved, prize);
            }
            catch (DaprException)
            {
                // A lost compare-and-swap or first-write fails the whole transaction (nothing written): read again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 8) * Math.Min(attempt, 8)), cancellationToken);
            }
        }
        return (ReserveOutcome.Contended, null);
    }

    /// <summary>Puts the claim's unit back (once); a claim that holds none gets a released marker so a late reserve takes nothing.</summary>
    public async Task<bool> ReleaseAsync(string prizeId, string claimId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var (reservation, reservationETag) = await dapr.GetStateAndETagAsync<Reservation?>(StateStore, ReservationKey(prizeId, claimId),
                cancellationToken: cancellationToken);
            if (reservation is { Released: true }) return true;
            var (prize, prizeETag) = await dapr.GetStateAndETagAsync<StoredPrize?>(StateStore, PrizeKey(prizeId), cancellationToken: cancellationToken);
            var released = new Reservation(prizeId, claimId, true);
            List<StateTransactionRequest> writes = reservation is null
                ? [new StateTransactionRequest(ReservationKey(prizeId, claimId), JsonSerializer.SerializeToUtf8Bytes(released, PrizesJson.Default.Reservation),
                    StateOperationType.Upsert, options: FirstWrite)]
                :
                [
                    new StateTransactionRequest(ReservationKey(prizeId, claimId), JsonSerializer.SerializeToUtf8Bytes(released, PrizesJson.Default.Reservation),
                        StateOperationType.Upsert, reservationETag),
                    new StateTransactionRequest(PrizeKey(prizeId), JsonSerializer.SerializeToUtf8Bytes(prize! with { Stock = prize.Stock + 1 }, PrizesJson.Default.StoredPrize),
                        StateOperationType.Upsert, prizeETag),
                ];
            try
            {
                await dapr.ExecuteStateTransactionAsync(StateStore, writes, cancellationToken: cancellationToken);
                return true;
            }
            catch (DaprException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 8) * Math.Min(attempt, 8)), cancellationToken);
            }
        }
        return false;
    }

    /// <summary>The claim's voucher: issued once (first-write); a repeat returns the stored code.</summary>
    public async Task<string> IssueVoucherAsync(string claimId, string code, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.SaveStateAsync(StateStore, VoucherKey(claimId), new Voucher(claimId, code), FirstWrite, cancellationToken: cancellationToken);
            return code;
        }
        catch (DaprException e) when (DaprStateExtensions.IsConflict(e))
        {
            // The voucher exists: a repeat of this step. The stored code is the one the player got.
            return (await dapr.GetStateAsync<Voucher?>(StateStore, VoucherKey(claimId), cancellationToken: cancellationToken))!.Code;
        }
    }

    private static string PrizeKey(string prizeId) => $"prize:{prizeId}";

    private static string ReservationKey(string prizeId, string claimId) => $"prize-reservation:{prizeId}:{claimId}";

    private static string VoucherKey(string claimId) => $"voucher:{claimId}";
}
