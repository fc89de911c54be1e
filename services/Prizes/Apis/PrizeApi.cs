using System.Text.Json;
using Veltrix.Prizes.Claims;
using Veltrix.Prizes.Domain;
using Veltrix.Sagas;
using Veltrix.ServiceDefaults;

namespace Veltrix.Prizes.Apis;

/// <summary>
/// <c>POST /prizes</c> (operator token) creates a prize; <c>GET /prizes/{id}</c> shows its stock;
/// <c>POST /prizes/{id}/claims</c> starts a claim saga (202 with its instance id); <c>GET /prizes/{id}/claims/{claimId}</c>
/// shows how the claim went.
/// </summary>
public static class PrizeApi
{
    private const int MaxNameLength = 200;

    public static IEndpointRouteBuilder MapPrizeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/prizes", CreateAsync).RequireOperatorToken();
        app.MapGet("/prizes/{prizeId}", async (string prizeId, PrizeStore prizes, CancellationToken cancellationToken) =>
            await prizes.FindAsync(prizeId, cancellationToken) is { } prize ? Results.Ok(View(prize)) : NotFound(prizeId));
        app.MapPost("/prizes/{prizeId}/claims", ClaimAsync);
        app.MapGet("/prizes/{prizeId}/claims/{claimId}", async (string prizeId, string claimId, SagaClient sagas, CancellationToken cancellationToken) =>
        {
            var status = await sagas.GetAsync(claimId, cancellationToken);
            var data = status?.Data.Deserialize(PrizesJson.Default.ClaimData);
            return status is null || status.WorkflowName != ClaimSaga.Name || data?.PrizeId != prizeId
                ? Problems.Create(StatusCodes.Status404NotFound, SagaErrorCodes.InstanceNotFound, "Claim not found", $"prize '{prizeId}' has no claim '{claimId}'")
                : Results.Ok(new ClaimView(claimId, prizeId, data.PlayerId, status.RuntimeStatus, data.Voucher, status.Failure?.Code, status.Failure?.Message));
        });
        return app;
    }

    private static async Task<IResult> CreateAsync(CreatePrizeRequest body, PrizeStore prizes, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > MaxNameLength)
            return Problems.Validation($"'name' must be a non-empty text of at most {MaxNameLength} characters", new Dictionary<string, object?> { ["field"] = "name" });
        if (body.Cost < 0) return Problems.Validation("'cost' must be zero or more points", new Dictionary<string, object?> { ["field"] = "cost" });
        if (body.Stock < 0) return Problems.Validation("'stock' must be zero or more units", new Dictionary<string, object?> { ["field"] = "stock" });
        var prize = await prizes.CreateAsync(body.Name.Trim(), body.Cost, body.Stock, cancellationToken);
        return Results.Created($"/prizes/{prize.Id}", View(prize));
    }

    private static async Task<IResult> ClaimAsync(string prizeId, ClaimRequest body, PrizeStore prizes, SagaClient sagas, CancellationToken cancellationToken)
    {
        if (body is not { PlayerId.Length: > 0 and <= 200, HuntId.Length: > 0 and <= 200 })
            return Problems.Validation("send {\"playerId\", \"huntId\"}: the player claiming, and the hunt whose points pay for the prize");
        if (await prizes.FindAsync(prizeId, cancellationToken) is null) return NotFound(prizeId);
        try
        {
            var input = JsonSerializer.SerializeToElement(new ClaimInput(prizeId, body.PlayerId, body.HuntId), PrizesJson.Default.ClaimInput);
            var started = await sagas.StartAsync(ClaimSaga.Name, body.ClaimId ?? "claim-" + Guid.NewGuid().ToString("N"), input, cancellationToken: cancellationToken);
            return Results.Json(new ClaimAccepted(started.InstanceId), PrizesJson.Default.ClaimAccepted, statusCode: StatusCodes.Status202Accepted);
        }
        catch (SagaRequestException e)
        {
            return Problems.Create(e.Status, e.Code, "Claim not started", e.Message);
        }
    }

    private static PrizeView View(StoredPrize prize) => new(prize.Id, prize.Name, prize.Cost, prize.InitialStock, prize.Stock);

    private static IResult NotFound(string prizeId) =>
        Problems.Create(StatusCodes.Status404NotFound, PrizeErrorCodes.PrizeNotFound, "Prize not found", $"no prize '{prizeId}'; operators create prizes with POST /prizes");
}
