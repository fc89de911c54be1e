using Veltrix.Scoring.Ledger;
using Veltrix.ServiceDefaults;

namespace Veltrix.Scoring.Apis;

public static class LedgerApi
{
    public static IEndpointRouteBuilder MapLedgerApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ledgers/{huntId}/{playerId}", async (string huntId, string playerId, LedgerService ledgers, CancellationToken cancellationToken) =>
            Ids.Check(("huntId", huntId), ("playerId", playerId)) is { } invalid ? invalid
            : await ledgers.FindAsync(huntId, playerId, cancellationToken) is { } ledger
                ? Results.Ok(ledger)
                : Problems.NotFound($"player '{playerId}' has no points in hunt '{huntId}'"));
        return app;
    }
}
