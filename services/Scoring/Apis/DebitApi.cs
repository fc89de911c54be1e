using Veltrix.Scoring.Ledger;
using Veltrix.ServiceDefaults;
using Veltrix.ServiceDefaults.Security;

namespace Veltrix.Scoring.Apis;

/// <summary>
/// The debit command, for other apps through Dapr service invocation (the prize-claim workflow calls it), so the app
/// token is required: only the sidecar, which adds it, reaches these routes — never an anonymous caller, nor a player
/// with its player token (without a configured app token the routes are closed). A debit id is scoped to its hunt and
/// player, so one player's debit id can neither collide with nor replay another's.
/// <c>POST /ledgers/{huntId}/{playerId}/debits</c> <c>{"debitId","amount"}</c> → 200 with the settlement, or 409 VX6103
/// when the player lacks the points (a permanent answer for that id).
/// <c>POST /ledgers/{huntId}/{playerId}/debits/{debitId}/cancel</c> → 200: refunded if it was applied, otherwise recorded
/// as cancelled so that the debit, should it still arrive, takes nothing.
/// </summary>
public static class DebitApi
{
    public static IEndpointRouteBuilder MapDebitApi(this WebApplication app)
    {
        app.MapPost("/ledgers/{huntId}/{playerId}/debits", async (string huntId, string playerId, DebitRequest body, DebitService debits, CancellationToken cancellationToken) =>
        {
            if (body is not { DebitId.Length: > 0 and <= 200, Amount: > 0 })
                return Problems.Validation("send {\"debitId\": a non-empty id (at most 200 characters) that is the same on every retry, \"amount\": a positive number of points}");
            if (Ids.Check(("huntId", huntId), ("playerId", playerId), ("debitId", body.DebitId)) is { } invalid) return invalid;
            var record = await debits.DebitAsync(huntId, playerId, body.DebitId, body.Amount, cancellationToken);
            return record.Outcome switch
            {
                DebitOutcome.Debited => Results.Json(Settled(record), DebitJson.Default.DebitSettled),
                DebitOutcome.Rejected => Problems.Create(StatusCodes.Status409Conflict, DebitErrorCodes.InsufficientPoints, "Debit refused",
                    $"player '{record.PlayerId}' has {record.BalanceAfter} points in hunt '{record.HuntId}', {record.Amount} are needed"),
                _ => Problems.Create(StatusCodes.Status409Conflict, DebitErrorCodes.DebitCancelled, "Debit cancelled",
                    $"debit '{record.DebitId}' was cancelled ({record.Outcome}); nothing more is taken for that id, use a new one"),
            };
        }).RequireDaprAppTokenOrClose(app.Services);
        app.MapPost("/ledgers/{huntId}/{playerId}/debits/{debitId}/cancel", async (string huntId, string playerId, string debitId, DebitService debits,
            CancellationToken cancellationToken) =>
        {
            if (Ids.Check(("huntId", huntId), ("playerId", playerId), ("debitId", debitId)) is { } invalid) return invalid;
            return Results.Json(Settled(await debits.CancelAsync(huntId, playerId, debitId, cancellationToken)), DebitJson.Default.DebitSettled);
        }).RequireDaprAppTokenOrClose(app.Services);
        return app;
    }

    private static DebitSettled Settled(DebitRecord record) =>
        new(record.DebitId, record.HuntId, record.PlayerId, record.Amount, record.Outcome.ToString(), record.BalanceAfter);
}
