using Veltrix.Scoring.Events;
using Veltrix.Scoring.Ledger;
using Veltrix.ServiceDefaults;

namespace Veltrix.Scoring.Apis;

/// <summary>A debit asked for directly: <c>{"debitId","amount"}</c>.</summary>
public sealed record DebitRequest(string? DebitId, int Amount);

/// <summary>
/// <c>POST /ledgers/{huntId}/{playerId}/debits</c>: the debit command over HTTP (the saga uses the same command over
/// pub/sub). 200 with the settlement; 409 VX6103 when the player lacks the points (a permanent answer for that id).
/// </summary>
public static class DebitApi
{
    public static IEndpointRouteBuilder MapDebitApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/ledgers/{huntId}/{playerId}/debits", async (string huntId, string playerId, DebitRequest body, DebitService debits, CancellationToken cancellationToken) =>
        {
            if (body is not { DebitId.Length: > 0 and <= 200, Amount: > 0 })
                return Problems.Validation("send {\"debitId\": a non-empty id (at most 200 characters) that is the same on every retry, \"amount\": a positive number of points}");
            var record = await debits.DebitAsync(huntId, playerId, body.DebitId, body.Amount, cancellationToken);
            var settled = DebitSubscriptions.Settled(record, new DebitRequested(body.DebitId, huntId, playerId, body.Amount, null));
            return record.Outcome == DebitOutcome.Debited
                ? Results.Json(settled, DebitJson.Default.DebitSettled)
                : Problems.Create(StatusCodes.Status409Conflict, settled.Code!, "Debit refused", settled.Reason!);
        });
        return app;
    }
}
