using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Dapr;
using Dapr.Client;
using Veltrix.Events.Publishing;
using Veltrix.Scoring.Events;

namespace Veltrix.Scoring.Ledger;

/// <summary>
/// Spends a player's points, idempotently by debit id: one transaction writes the <see cref="DebitRecord"/>
/// (first-write) and the ledger (compare-and-swap), so a debit is applied once however often it is asked for. After
/// the transaction the new total goes out as points.awarded (negative points, the ledger's new version), which is all
/// the leaderboard needs; a repeat publishes the same event again (same id), in case a crash came in between.
/// </summary>
public sealed partial class DebitService(DaprClient dapr, EventPublisher publisher, ILogger<DebitService> logger)
{
    private const int MaxAttempts = 20;
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public async Task<DebitRecord> DebitAsync(string huntId, string playerId, string debitId, long amount, CancellationToken cancellationToken)
    {
        var record = await DecideAsync(DebitKey(huntId, playerId, debitId), (ledger, existing) => existing ?? (ledger.Points >= amount
            ? new DebitRecord(debitId, huntId, playerId, amount, DebitOutcome.Debited, ledger.Points - amount, ledger.Version + 1)
            : new DebitRecord(debitId, huntId, playerId, amount, DebitOutcome.Rejected, ledger.Points, ledger.Version)), huntId, playerId, cancellationToken);
        if (record.Outcome == DebitOutcome.Debited) await PublishTotalAsync(record, "debit", -record.Amount, cancellationToken);
        return record;
    }

    /// <summary>Gives a debit back, or — if it was never applied — makes sure it never will be. Idempotent.</summary>
    public async Task<DebitRecord> CancelAsync(string huntId, string playerId, string debitId, CancellationToken cancellationToken)
    {
        var record = await DecideAsync(DebitKey(huntId, playerId, debitId), (ledger, existing) => existing switch
        {
            null => new DebitRecord(debitId, huntId, playerId, 0, DebitOutcome.Cancelled, ledger.Points, ledger.Version),
            { Outcome: DebitOutcome.Debited } debited => debited with { Outcome = DebitOutcome.Refunded, BalanceAfter = ledger.Points + debited.Amount, VersionAfter = ledger.Version + 1 },
            _ => existing,
        }, huntId, playerId, cancellationToken);
        if (record.Outcome == DebitOutcome.Refunded) await PublishTotalAsync(record, "refund", record.Amount, cancellationToken);
        return record;
    }

    /// <summary>
    /// Reads the ledger and the debit record, lets <paramref name="decide"/> choose the record, and — if it changed —
    /// writes it and the ledger (when the points change) in one transaction; a lost race reads again.
    /// </summary>
    private async Task<DebitRecord> DecideAsync(string key, Func<PlayerLedger, DebitRecord?, DebitRecord> decide, string huntId, string playerId,
        CancellationToken cancellationToken)
    {
        var ledgerKey = $"ledger:{huntId}:{playerId}";
        for (var attempt = 1; ; attempt++)
        {
            var (ledger, ledgerETag) = await ReadAsync(ledgerKey, DebitJson.Default.PlayerLedger, cancellationToken);
            var (existing, recordETag) = await ReadAsync(key, DebitJson.Default.DebitRecord, cancellationToken);
            ledger ??= PlayerLedger.Empty(huntId, playerId);
            var decided = decide(ledger, existing);
            if (decided == existing) return existing!;

            var writes = new List<StateTransactionRequest>
            {
                existing is null
                    ? new StateTransactionRequest(key, JsonSerializer.SerializeToUtf8Bytes(decided, DebitJson.Default.DebitRecord), StateOperationType.Upsert, options: FirstWrite)
                    : new StateTransactionRequest(key, JsonSerializer.SerializeToUtf8Bytes(decided, DebitJson.Default.DebitRecord), StateOperationType.Upsert, recordETag),
            };
            if (decided.VersionAfter != ledger.Version)
            {
                var changed = ledger with { Points = decided.BalanceAfter, Version = decided.VersionAfter };
                var bytes = JsonSerializer.SerializeToUtf8Bytes(changed, DebitJson.Default.PlayerLedger);
                writes.Add(string.IsNullOrEmpty(ledgerETag)
                    ? new StateTransactionRequest(ledgerKey, bytes, StateOperationType.Upsert, options: FirstWrite)
                    : new StateTransactionRequest(ledgerKey, bytes, StateOperationType.Upsert, ledgerETag));
            }
            try
            {
                await dapr.ExecuteStateTransactionAsync(LedgerService.StateStore, writes, cancellationToken: cancellationToken);
                LogDecided(logger, decided.DebitId, decided.PlayerId, decided.Outcome, decided.Amount, decided.BalanceAfter);
                return decided;
            }
            catch (DaprException) when (attempt < MaxAttempts)
            {
                // A lost compare-and-swap or first-write fails the whole transaction (daprd: Internal, not Aborted; an outage
                // answers alike) and writes nothing: back off with jitter and read again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(2, 10) * attempt), cancellationToken);
            }
        }
    }

    /// <summary>Reads a document written by this service's transactions, with the same JSON contract (string enums).</summary>
    private async Task<(T? Value, string ETag)> ReadAsync<T>(string key, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var (bytes, etag) = await dapr.GetByteStateAndETagAsync(LedgerService.StateStore, key, cancellationToken: cancellationToken);
        return (bytes.IsEmpty ? default : JsonSerializer.Deserialize(bytes.Span, type), etag);
    }

    /// <summary>points.awarded with the ledger's total and version after the change (negative points for a debit).</summary>
    private Task PublishTotalAsync(DebitRecord record, string kind, long points, CancellationToken cancellationToken)
    {
        var awarded = new PointsAwarded(record.HuntId, record.PlayerId, $"{kind}:{record.DebitId}", points, record.BalanceAfter, record.VersionAfter);
        return publisher.PublishOneAsync(EventTypes.PointsAwarded, EventId(kind, record), awarded, DebitJson.Default.RoutedEventPointsAwarded, cancellationToken);
    }

    /// <summary>
    /// The debit record's key: the id is the caller's (the claim id), so it is scoped to the ledger it spends from — the
    /// same id for another player or hunt is another debit, and can never read, replay or block this one. Ids may hold
    /// ':', so the hunt and player ids carry their lengths: (player "a:b", debit "c") and (player "a", debit "b:c") are
    /// different keys.
    /// </summary>
    public static string DebitKey(string huntId, string playerId, string debitId) => $"debit:{Scope(huntId, playerId)}:{debitId}";

    /// <summary>The event id of the points.awarded a debit or refund publishes, scoped like <see cref="DebitKey"/>.</summary>
    public static string EventId(string kind, DebitRecord record) => $"{kind}:{Scope(record.HuntId, record.PlayerId)}:{record.DebitId}";

    private static string Scope(string huntId, string playerId) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{huntId.Length}:{huntId}:{playerId.Length}:{playerId}");

    [LoggerMessage(Level = LogLevel.Information, Message = "debit {DebitId} of {Player}: {Outcome} ({Amount} points, balance {Balance})")]
    private static partial void LogDecided(ILogger logger, string debitId, string player, DebitOutcome outcome, long amount, long balance);
}
