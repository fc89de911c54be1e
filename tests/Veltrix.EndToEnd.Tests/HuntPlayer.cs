using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

public sealed record PuzzleSpec(string Question, string Answer, int Points);

public sealed record CreatedHunt(string Id, IReadOnlyList<string> PuzzleIds);

public sealed record Answer(string PlayerId, string PuzzleId, string Text);

/// <summary>What a client of the treasure hunt does, over plain HTTP: create hunts, send answers, read the board.</summary>
public sealed class HuntPlayer(RunningSystem system) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient Http => _http;

    public async Task<CreatedHunt> CreateHuntAsync(string name, params PuzzleSpec[] puzzles)
    {
        var body = new JsonObject
        {
            ["name"] = name,
            ["puzzles"] = new JsonArray(puzzles.Select(p => (JsonNode)new JsonObject { ["question"] = p.Question, ["answer"] = p.Answer, ["points"] = p.Points }).ToArray()),
        };
        var response = await _http.PostAsync(new Uri(system.Url("hunt"), "/hunts"), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new CreatedHunt(created.GetProperty("id").GetString()!,
            created.GetProperty("puzzles").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToList());
    }

    /// <summary>answer.submitted events, each with its player's token (<paramref name="tokenOf"/>) as <c>"playerToken"</c>.</summary>
    public static string Events(string huntId, IEnumerable<(string Id, Answer Answer)> answers, Func<string, string?> tokenOf) =>
        new JsonArray(answers.Select(a => (JsonNode)new JsonObject
        {
            ["id"] = a.Id,
            ["type"] = "answer.submitted",
            ["playerToken"] = tokenOf(a.Answer.PlayerId),
            ["data"] = new JsonObject { ["huntId"] = huntId, ["puzzleId"] = a.Answer.PuzzleId, ["playerId"] = a.Answer.PlayerId, ["answer"] = a.Answer.Text },
        }).ToArray()).ToJsonString();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Hunt, string Player), string> _tokens = new();

    /// <summary>The player's token for the hunt: joined on first use (a player joins once), then remembered.</summary>
    public async Task<string> TokenAsync(string huntId, string playerId)
    {
        if (_tokens.TryGetValue((huntId, playerId), out var token)) return token;
        token = await PlayerJoin.JoinAsync(_http, system.Url("hunt"), huntId, playerId);
        return _tokens.GetOrAdd((huntId, playerId), token);
    }

    /// <summary>Joins every player of <paramref name="answers"/> not joined yet, a few at a time.</summary>
    public Task JoinAllAsync(string huntId, IEnumerable<Answer> answers) =>
        Parallel.ForEachAsync(answers.Select(a => a.PlayerId).Distinct(StringComparer.Ordinal).Where(p => KnownToken(huntId, p) is null),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (playerId, _) => await TokenAsync(huntId, playerId));

    /// <summary>
    /// Remembers a token minted with the run's key rather than joined: for a hunt whose record is gone (a state store
    /// that lost it), which nobody can join any more but whose players' tokens still verify.
    /// </summary>
    public void RememberMinted(string huntId, string playerId) =>
        _tokens[(huntId, playerId)] = new Veltrix.ServiceDefaults.Security.PlayerTokens(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["VELTRIX_OPERATOR_TOKEN"] = system.OperatorToken }).Build()).Issue(huntId, playerId);

    /// <summary>A remembered token, or null (the event then goes without one).</summary>
    public string? KnownToken(string huntId, string playerId) => _tokens.TryGetValue((huntId, playerId), out var token) ? token : null;

    /// <summary>One answer through hunt's own API, as the player (its token as bearer).</summary>
    public async Task<HttpResponseMessage> AnswerAsync(string huntId, string puzzleId, string playerId, string text)
    {
        using var request = PlayerJoin.Post(new Uri(system.Url("hunt"), $"/hunts/{huntId}/puzzles/{puzzleId}/answers"), new { playerId, answer = text },
            await TokenAsync(huntId, playerId));
        return await _http.SendAsync(request);
    }

    /// <summary>A prize claim as the player (its token as bearer).</summary>
    public async Task<HttpResponseMessage> ClaimAsync(string prizeId, string huntId, string playerId, string? claimId = null)
    {
        using var request = PlayerJoin.Post(new Uri(system.Url("prizes"), $"/prizes/{prizeId}/claims"), new { playerId, huntId, claimId },
            await TokenAsync(huntId, playerId));
        return await _http.SendAsync(request);
    }

    private int _accepted;

    private int _setbacks;

    /// <summary>Events the gateway has accepted from this player so far (for tests that act mid-stream).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Attempts that did not get everything accepted: 429, 5xx, a failed connection, or VX3006 rejections.</summary>
    public int Setbacks => Volatile.Read(ref _setbacks);

    private int _internalErrors;

    /// <summary>500 answers the client rode out: a gateway that is well only answers an outage with 503 VX3013, never 500.</summary>
    public int InternalErrors => Volatile.Read(ref _internalErrors);

    /// <summary>
    /// Sends answers through the gateway like a well-behaved client: on 429, and on 503 with Retry-After, it waits as told, and events the
    /// gateway could not hand to the broker (VX3006) are sent again with the same ids. With
    /// <paramref name="rideOutOutages"/> it also resends, with the same ids, after a 5xx or a failed connection —
    /// what a client does while a broker or sidecar restarts; otherwise those fail the test.
    /// </summary>
    /// <param name="firstId">The number in the first answer's event id (`{huntId}-{n}`), so that several calls for one hunt give distinct ids.</param>
    public async Task SubmitAsync(string huntId, IReadOnlyList<Answer> answers, int batchSize = 500, bool rideOutOutages = false, int firstId = 0)
    {
        await JoinAllAsync(huntId, answers);
        var pending = answers.Select((a, i) => ($"{huntId}-{firstId + i}", a)).ToList();
        foreach (var batch in pending.Chunk(batchSize))
        {
            var remaining = batch.ToList();
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (remaining.Count > 0)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"the gateway kept refusing {remaining.Count} events");
                HttpResponseMessage response;
                try
                {
                    response = await _http.PostAsync(new Uri(system.Url("gateway"), "/v1/events"),
                        new StringContent(Events(huntId, remaining, p => KnownToken(huntId, p)), Encoding.UTF8, "application/json"));
                }
                catch (Exception e) when (rideOutOutages && e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref _setbacks);
                    await Task.Delay(200);
                    continue;
                }
                using (response)
                {
                    // 429 (the gateway at its bound) and 503 with Retry-After (its sidecar or broker unavailable, VX3013):
                    // nothing was accepted; a well-behaved client waits as told and sends the same events again.
                    if (response.StatusCode == HttpStatusCode.TooManyRequests
                        || (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null))
                    {
                        Interlocked.Increment(ref _setbacks);
                        await Task.Delay(TimeSpan.FromSeconds(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1));
                        continue;
                    }
                    if (rideOutOutages && (int)response.StatusCode >= 500)
                    {
                        if (response.StatusCode == HttpStatusCode.InternalServerError) Interlocked.Increment(ref _internalErrors);
                        Interlocked.Increment(ref _setbacks);
                        await Task.Delay(200);
                        continue;
                    }
                    Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                    var result = await response.Content.ReadFromJsonAsync<JsonElement>();
                    var resend = result.GetProperty("rejected").EnumerateArray().ToList();
                    Assert.All(resend, r => Assert.Equal("VX3006", r.GetProperty("code").GetString())); // only "try again" rejections here
                    Interlocked.Add(ref _accepted, remaining.Count - resend.Count);
                    if (resend.Count > 0) Interlocked.Increment(ref _setbacks);
                    remaining = resend.Select(r => remaining[r.GetProperty("index").GetInt32()]).ToList();
                    if (remaining.Count > 0) await Task.Delay(100); // the broker's queue is full: give the consumers a moment
                }
            }
        }
    }

    public async Task<IReadOnlyList<(string PlayerId, int Points, int Rank)>> LeaderboardAsync(string huntId)
    {
        var board = await _http.GetFromJsonAsync<JsonElement>(new Uri(system.Url("leaderboard"), $"/leaderboard/{huntId}"));
        return board.GetProperty("entries").EnumerateArray()
            .Select(e => (e.GetProperty("playerId").GetString()!, e.GetProperty("points").GetInt32(), e.GetProperty("rank").GetInt32())).ToList();
    }

    /// <summary>Polls until the leaderboard equals the expected one; on timeout the message shows both.</summary>
    public async Task AssertLeaderboardAsync(string huntId, IReadOnlyList<(string PlayerId, int Points, int Rank)> expected, TimeSpan? timeout = null)
    {
        IReadOnlyList<(string PlayerId, int Points, int Rank)> actual = [];
        var matched = await Eventually.TryAsync(async () => (actual = await LeaderboardAsync(huntId)).SequenceEqual(expected), timeout ?? TimeSpan.FromSeconds(120));
        Assert.True(matched, $"leaderboard of {huntId}\nexpected: {string.Join(", ", expected)}\nactual:   {string.Join(", ", actual)}");
    }

    /// <summary>The leaderboard the rules say these answers earn: each correct (player, puzzle) once; ties share a rank.</summary>
    public static IReadOnlyList<(string PlayerId, int Points, int Rank)> Expected(IEnumerable<Answer> answers, IReadOnlyDictionary<string, (string Answer, int Points)> puzzles)
    {
        var solved = answers.Where(a => string.Equals(a.Text.Trim(), puzzles[a.PuzzleId].Answer, StringComparison.OrdinalIgnoreCase))
            .Select(a => (a.PlayerId, a.PuzzleId)).Distinct();
        var totals = solved.GroupBy(s => s.PlayerId).Select(g => (PlayerId: g.Key, Points: g.Sum(s => puzzles[s.PuzzleId].Points)))
            .OrderByDescending(t => t.Points).ThenBy(t => t.PlayerId, StringComparer.Ordinal).ToList();
        var ranked = new List<(string, int, int)>();
        for (var i = 0; i < totals.Count; i++)
            ranked.Add((totals[i].PlayerId, totals[i].Points, i > 0 && totals[i].Points == totals[i - 1].Points ? ranked[i - 1].Item3 : i + 1));
        return ranked;
    }

    public void Dispose() => _http.Dispose();
}
