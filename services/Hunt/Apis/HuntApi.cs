using Microsoft.AspNetCore.Http.HttpResults;
using Veltrix.Hunt.Domain;
using Veltrix.Hunt.Events;
using Veltrix.ServiceDefaults;
using Veltrix.ServiceDefaults.Security;

namespace Veltrix.Hunt.Apis;

public static class HuntApi
{
    private const int MaxPuzzles = 200;

    public static IEndpointRouteBuilder MapHuntApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/hunts", CreateAsync);
        app.MapGet("/hunts/{huntId}", GetAsync);
        app.MapPost("/hunts/{huntId}/players", JoinAsync);
        app.MapPost("/hunts/{huntId}/puzzles/{puzzleId}/answers", AnswerAsync);
        return app;
    }

    private static async Task<IResult> CreateAsync(CreateHuntRequest request, HuntStore store, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } invalid) return invalid;
        var puzzles = request.Puzzles!;
        var salt = AnswerHasher.NewSalt();
        var hunt = new StoredHunt(NewId(), request.Name!.Trim(), salt,
            puzzles.Select((p, i) => new StoredPuzzle($"p{i + 1}", p.Question!.Trim(), AnswerHasher.Hash(p.Answer!, salt), p.Points!.Value)).ToList());
        await store.SaveAsync(hunt, cancellationToken);
        return TypedResults.Created($"/hunts/{hunt.Id}", View(hunt));
    }

    /// <summary>The first thing wrong with a new hunt, as 400 VX3002 naming the field; null when it can be created.</summary>
    public static IResult? Validate(CreateHuntRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name)) return Problems.Validation("'name' is required", Field("name"));
        if (request.Puzzles is not { Count: > 0 } puzzles) return Problems.Validation("'puzzles' needs at least one puzzle", Field("puzzles"));
        if (puzzles.Count > MaxPuzzles) return Problems.Validation($"a hunt has at most {MaxPuzzles} puzzles", Field("puzzles"));
        for (var i = 0; i < puzzles.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(puzzles[i].Question)) return Problems.Validation($"puzzles[{i}].question is required", Field($"puzzles[{i}].question"));
            if (string.IsNullOrWhiteSpace(puzzles[i].Answer)) return Problems.Validation($"puzzles[{i}].answer is required", Field($"puzzles[{i}].answer"));
            if (!PuzzlePoints.IsValid(puzzles[i].Points))
                return Problems.Validation($"puzzles[{i}].points must be a whole number from {PuzzlePoints.Min} to {PuzzlePoints.Max}", Field($"puzzles[{i}].points"));
        }
        return null;
    }

    private static async Task<IResult> GetAsync(string huntId, HuntStore store, CancellationToken cancellationToken) =>
        Ids.Check("huntId", huntId)
        ?? (await store.FindAsync(huntId, cancellationToken) is { } hunt ? TypedResults.Ok(View(hunt)) : Problems.NotFound($"hunt '{huntId}' does not exist"));

    /// <summary>
    /// 201 with the player's token, once per (hunt, player); a repeat of that join with the same <c>Idempotency-Key</c>
    /// gets 200 with the same token (a client whose answer was lost); any other join of a player id that has joined
    /// already — no key, another key — gets 409 VX3015 and no token. The hunt must exist, so tokens are never handed out
    /// (nor join records written) for made-up hunts. The Location is escaped: a header holds ASCII only, and a player id
    /// may be any text.
    /// </summary>
    private static async Task<IResult> JoinAsync(string huntId, JoinRequest request, HuntStore store, PlayerJoins joins, PlayerTokens tokens,
        HttpContext http, CancellationToken cancellationToken)
    {
        if (Ids.Check(("huntId", huntId), ("playerId", request.PlayerId)) is { } invalid) return invalid;
        if (IdempotencyKey.Read(http.Request, out var key) is { } malformed) return malformed;
        if (tokens.ClosedBecause is not null && tokens.Check(http, null, huntId, request.PlayerId!) is { } closed) return closed;
        if (await store.FindAsync(huntId, cancellationToken) is null) return Problems.NotFound($"hunt '{huntId}' does not exist");
        var joined = await joins.JoinAsync(huntId, request.PlayerId!, key, cancellationToken);
        var player = new JoinedPlayer(huntId, request.PlayerId!, joined.Token ?? "");
        return joined.Outcome switch
        {
            JoinOutcome.Joined => TypedResults.Created($"/hunts/{huntId}/players/{Uri.EscapeDataString(request.PlayerId!)}", player),
            JoinOutcome.Repeated => TypedResults.Ok(player),
            _ => Problems.Create(StatusCodes.Status409Conflict, ServiceErrorCodes.PlayerAlreadyJoined, "Player already joined",
                $"player '{request.PlayerId}' has already joined hunt '{huntId}'; its token was returned to that join, and is returned again only to a repeat with that join's {IdempotencyKey.Header}. Use that token, or join under a new player id",
                Field("playerId")),
        };
    }

    /// <summary>Only the player itself may answer: <c>Authorization: Bearer</c> with the token its join returned.</summary>
    private static async Task<IResult> AnswerAsync(string huntId, string puzzleId, SubmitAnswerRequest request, AnswerChecker checker, PlayerTokens tokens,
        HttpContext http, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.PlayerId)) return Problems.Validation("'playerId' is required", Field("playerId"));
        if (request.Answer is null) return Problems.Validation("'answer' is required", Field("answer"));
        // The ids become state keys and event data: one that a key or a URL cannot hold is refused here, not by the store.
        if (Ids.Check(("huntId", huntId), ("puzzleId", puzzleId), ("playerId", request.PlayerId)) is { } invalid) return invalid;
        if (tokens.Check(http, PlayerTokens.FromBearer(http.Request), huntId, request.PlayerId) is { } refused) return refused;
        var outcome = (await checker.CheckAsync([new AnswerSubmitted(huntId, puzzleId, request.PlayerId, request.Answer)], cancellationToken))[0];
        return outcome switch
        {
            AnswerOutcome.UnknownHunt => Problems.NotFound($"hunt '{huntId}' does not exist"),
            AnswerOutcome.UnknownPuzzle => Problems.NotFound($"hunt '{huntId}' has no puzzle '{puzzleId}'"),
            AnswerOutcome.Retry => Problems.Overloaded(StatusCodes.Status503ServiceUnavailable, "Try again",
                "the answer is correct but the solve could not be recorded yet; submit it again shortly"),
            var checkedOutcome => TypedResults.Ok(new AnswerResult(checkedOutcome == AnswerOutcome.Correct)),
        };
    }

    private static HuntView View(StoredHunt hunt) => new(hunt.Id, hunt.Name, hunt.Puzzles.Select(p => new PuzzleView(p.Id, p.Question, p.Points)).ToList());

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];

    private static Dictionary<string, object?> Field(string name) => new() { ["field"] = name };
}
