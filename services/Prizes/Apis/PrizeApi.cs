using System.Text.RegularExpressions;
using Dapr.Workflow;
using Grpc.Core;
using Veltrix.Prizes.Claims;
using Veltrix.Prizes.Domain;
using Veltrix.ServiceDefaults;
using Veltrix.ServiceDefaults.Security;

namespace Veltrix.Prizes.Apis;

/// <summary>
/// <c>POST /prizes</c> (operator token) creates a prize; <c>GET /prizes/{id}</c> shows its stock;
/// <c>POST /prizes/{id}/claims</c> starts a claim workflow (202 with its instance id); <c>GET /prizes/{id}/claims/{claimId}</c>
/// shows how the claim went. The claim is a Dapr workflow: Dapr's workflow API shows the same instance.
/// </summary>
public static partial class PrizeApi
{
    private const int MaxNameLength = 200;

    public static IEndpointRouteBuilder MapPrizeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/prizes", CreateAsync).RequireOperatorToken();
        app.MapGet("/prizes/{prizeId}", async (string prizeId, PrizeStore prizes, CancellationToken cancellationToken) =>
            PrizeIdShape().IsMatch(prizeId) && await prizes.FindAsync(prizeId, cancellationToken) is { } prize ? Results.Ok(View(prize)) : NotFound(prizeId));
        app.MapPost("/prizes/{prizeId}/claims", ClaimAsync);
        app.MapGet("/prizes/{prizeId}/claims/{claimId}", GetClaimAsync);
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

    /// <summary>Only the player itself may spend its points: <c>Authorization: Bearer</c> with the token its join returned.</summary>
    private static async Task<IResult> ClaimAsync(string prizeId, ClaimRequest body, PrizeStore prizes, DaprWorkflowClient workflows, PlayerTokens tokens,
        HttpContext http, CancellationToken cancellationToken)
    {
        if (body is not { PlayerId.Length: > 0 and <= 200, HuntId.Length: > 0 and <= 200 })
            return Problems.Validation("send {\"playerId\", \"huntId\"}: the player claiming, and the hunt whose points pay for the prize");
        // Both reach scoring's ledger route as path segments and its state keys: refuse what those cannot hold.
        if (Ids.Check(("playerId", body.PlayerId), ("huntId", body.HuntId)) is { } invalid) return invalid;
        if (tokens.Check(http, PlayerTokens.FromBearer(http.Request), body.HuntId, body.PlayerId) is { } refused) return refused;
        if (body.ClaimId is { } given && !ClaimIdShape().IsMatch(given))
            return Problems.Validation("'claimId' must be 1 to 64 letters, digits, '-' or '_' (it names the claim's workflow instance)",
                new Dictionary<string, object?> { ["field"] = "claimId" });
        // Prize ids are ours (12 hex digits): anything else names no prize, and never reaches a state key.
        if (!PrizeIdShape().IsMatch(prizeId) || await prizes.FindAsync(prizeId, cancellationToken) is null) return NotFound(prizeId);
        var claim = new ClaimInput(prizeId, body.PlayerId, body.HuntId);
        var claimId = body.ClaimId ?? "claim-" + Guid.NewGuid().ToString("N");
        try
        {
            // A retried request with the same claim id starts nothing new: the existing claim answers, running or ended.
            // (The sidecar would replace a finished instance of that id, so this check is what keeps a claim single.)
            var existing = await workflows.GetWorkflowStateAsync(claimId, getInputsAndOutputs: true, cancellationToken);
            if (existing is { Exists: true }) return SameClaim(existing, claim) ? Accepted(claimId) : ClaimIdInUse(claimId);
            await workflows.ScheduleNewWorkflowAsync(nameof(ClaimWorkflow), claimId, claim, startTime: null, cancellationToken);
            ClaimMetrics.Started();
            return Accepted(claimId);
        }
        catch (Exception e) when (StatusOf(e) == StatusCode.AlreadyExists)
        {
            // Two identical requests raced: the other one started it. Both activities are idempotent on the claim id anyway.
            var existing = await workflows.GetWorkflowStateAsync(claimId, getInputsAndOutputs: true, cancellationToken);
            return existing is { Exists: true } && !SameClaim(existing, claim) ? ClaimIdInUse(claimId) : Accepted(claimId);
        }
        // An unreachable sidecar (Unavailable, DeadlineExceeded) is the service defaults' 503 VX3013 with Retry-After, as
        // on every other endpoint; only the engine's bound is the claim API's own answer.
        catch (Exception e) when (StatusOf(e) is StatusCode.ResourceExhausted)
        {
            return Problems.Overloaded(StatusCodes.Status429TooManyRequests, "Too many claims in flight",
                "the workflow engine holds as many unfinished workflows as it may; send the same claim again", retryAfterSeconds: 2);
        }
    }

    /// <summary>
    /// Anyone may follow a claim's status, but its voucher — the prize itself — is shown only to the claim's player (its
    /// token as bearer): claim ids are the client's and often guessable, so the id alone must not hand the prize over.
    /// </summary>
    private static async Task<IResult> GetClaimAsync(string prizeId, string claimId, DaprWorkflowClient workflows, PlayerTokens tokens, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (!ClaimIdShape().IsMatch(claimId) || !PrizeIdShape().IsMatch(prizeId)) return ClaimNotFound(prizeId, claimId);
        var state = await workflows.GetWorkflowStateAsync(claimId, getInputsAndOutputs: true, cancellationToken);
        var input = state is { Exists: true, WorkflowName: nameof(ClaimWorkflow) } ? state.ReadInputAs<ClaimInput>() : null;
        if (state is null || input?.PrizeId != prizeId) return ClaimNotFound(prizeId, claimId);
        var outcome = state.RuntimeStatus == WorkflowRuntimeStatus.Completed ? state.ReadOutputAs<ClaimOutcome>() : null;
        var status = outcome?.Status ?? StatusName(state.RuntimeStatus);
        var failure = state.FailureDetails is { } details ? details.ErrorMessage : outcome?.Failure;
        var failureCode = outcome?.FailureCode ?? (state.FailureDetails is null ? null : PrizeErrorCodes.ClaimBroke);
        var voucher = tokens.Check(PlayerTokens.FromBearer(http.Request), input.HuntId, input.PlayerId) == PlayerTokenCheck.Valid ? outcome?.Voucher : null;
        return Results.Ok(new ClaimView(claimId, prizeId, input.PlayerId, status, voucher, failureCode, failure, state.ReadCustomStatusAs<string>()));
    }

    /// <summary>Dapr's names for the runtime statuses, as its workflow HTTP API shows them.</summary>
    private static string StatusName(WorkflowRuntimeStatus status) => status switch
    {
        WorkflowRuntimeStatus.Running => "RUNNING",
        WorkflowRuntimeStatus.Pending => "PENDING",
        WorkflowRuntimeStatus.Suspended => "SUSPENDED",
        WorkflowRuntimeStatus.Terminated => "TERMINATED",
        WorkflowRuntimeStatus.Failed => ClaimStatus.Failed,
        WorkflowRuntimeStatus.Completed => ClaimStatus.Completed,
        _ => status.ToString().ToUpperInvariant(),
    };

    private static bool SameClaim(WorkflowState existing, ClaimInput claim) =>
        existing.WorkflowName == nameof(ClaimWorkflow) && existing.ReadInputAs<ClaimInput>() == claim;

    private static StatusCode? StatusOf(Exception e) => (e as RpcException ?? e.InnerException as RpcException)?.StatusCode;

    private static IResult Accepted(string claimId) =>
        Results.Json(new ClaimAccepted(claimId), PrizesJson.Default.ClaimAccepted, statusCode: StatusCodes.Status202Accepted);

    private static IResult ClaimIdInUse(string claimId) =>
        Problems.Create(StatusCodes.Status409Conflict, PrizeErrorCodes.ClaimIdInUse, "Claim id in use",
            $"claim '{claimId}' exists for another prize or player; use a new claim id");

    private static IResult ClaimNotFound(string prizeId, string claimId) =>
        Problems.Create(StatusCodes.Status404NotFound, PrizeErrorCodes.ClaimNotFound, "Claim not found", $"prize '{prizeId}' has no claim '{claimId}'");

    private static PrizeView View(StoredPrize prize) => new(prize.Id, prize.Name, prize.Cost, prize.InitialStock, prize.Stock);

    private static IResult NotFound(string prizeId) =>
        Problems.Create(StatusCodes.Status404NotFound, PrizeErrorCodes.PrizeNotFound, "Prize not found", $"no prize '{prizeId}'; operators create prizes with POST /prizes");

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ClaimIdShape();

    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex PrizeIdShape();
}
