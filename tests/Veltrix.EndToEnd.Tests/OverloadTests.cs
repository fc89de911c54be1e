using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// The gateway offered far more than the system can take, open loop (requests keep coming whatever the answers, as
/// from clients that do not back off): every answer is a 202 or a 429 VX3006 with Retry-After — never a 5xx —, the
/// gateway refuses whole requests before reading them once the broker is full, and the leaderboard ends with exactly
/// the answers that were accepted. The goodput against a well-behaved peak is reported (the benchmark measures it on a
/// quiet machine: `overload` in docs/performance.md), not asserted: a test is no place for a speed.
/// </summary>
[Collection(nameof(EmbeddedSystem))]
public sealed class OverloadTests(EmbeddedSystemFixture fixture)
{
    private const int Players = 50;
    private const int PuzzlesPerHunt = 200;
    private const int Batch = 250;

    [Fact]
    public async Task A_flood_is_refused_with_429_before_parsing_and_every_accepted_answer_counts_exactly_once()
    {
        var system = fixture.System;
        using var player = new HuntPlayer(system);
        using var control = new ControlClient(system);
        var puzzles = Enumerable.Range(1, PuzzlesPerHunt).Select(n => new PuzzleSpec($"q{n}", $"a{n}", 1)).ToArray();

        // Peak: two well-behaved clients (they wait as Retry-After says and resend what was refused).
        var calm = await player.CreateHuntAsync("overload-peak", puzzles);
        var calmAnswers = Answers(calm, 25).ToList();
        await player.JoinAllAsync(calm.Id, calmAnswers);
        var peakClock = Stopwatch.StartNew();
        await Task.WhenAll(calmAnswers.Chunk(calmAnswers.Count / 2).Select((half, i) => player.SubmitAsync(calm.Id, half, Batch, firstId: i * half.Length)));
        var peakRate = calmAnswers.Count / peakClock.Elapsed.TotalSeconds;

        // Flood: ten times that (at least 10,000 events/s) for six seconds, 250 events a request, nothing resent.
        var flood = await player.CreateHuntAsync("overload-flood", puzzles);
        var floodAnswers = Answers(flood, Players).ToList(); // 10,000 distinct (player, puzzle): offered events repeat them
        await player.JoinAllAsync(flood.Id, floodAnswers);
        var refusedBefore = await RefusedBeforeParsingAsync(control);
        var offeredRate = Math.Max(10_000, peakRate * 10);
        var accepted = new ConcurrentDictionary<int, bool>(); // index into floodAnswers of every accepted event
        var acceptedEvents = 0;
        var statuses = new ConcurrentDictionary<string, int>();
        var wrong = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        await OpenLoop.OfferAsync(offeredRate, TimeSpan.FromSeconds(6), Batch, async first =>
        {
            var indices = Enumerable.Range(first, Batch).Select(i => i % floodAnswers.Count).ToList();
            var body = HuntPlayer.Events(flood.Id, Enumerable.Range(first, Batch).Select(i => ($"{flood.Id}-{i}", floodAnswers[i % floodAnswers.Count])),
                p => player.KnownToken(flood.Id, p));
            using var response = await player.Http.PostAsync(new Uri(system.Url("gateway"), "/v1/events"), new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            statuses.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                var refused = JsonDocument.Parse(text).RootElement.GetProperty("rejected").EnumerateArray()
                    .Select(r => r.GetProperty("index").GetInt32()).ToHashSet();
                for (var i = 0; i < Batch; i++)
                    if (!refused.Contains(i)) accepted[indices[i]] = true;
                Interlocked.Add(ref acceptedEvents, Batch - refused.Count);
            }
            else if (response.StatusCode != HttpStatusCode.TooManyRequests || response.Headers.RetryAfter?.Delta is null || !text.Contains("\"VX3006\"", StringComparison.Ordinal))
            {
                wrong.Add($"{(int)response.StatusCode} {response.Headers.RetryAfter}: {text}");
            }
        }, cancellationToken: TestContext.Current.CancellationToken);
        var floodRate = acceptedEvents / clock.Elapsed.TotalSeconds;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"peak {peakRate:F0} accepted events/s (2 clients); flood of {offeredRate:F0}/s offered: {floodRate:F0} accepted events/s ({floodRate / peakRate:F2}× the peak); " +
            $"answers: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");

        Assert.True(wrong.IsEmpty, $"answers other than 202 and 429 VX3006 with Retry-After:\n{string.Join('\n', wrong.Take(5))}");
        Assert.True(statuses.GetValueOrDefault("429") > 0, "the flood was never refused: it did not overload the system");
        var early = await RefusedBeforeParsingAsync(control);
        Assert.True(early.Total > refusedBefore.Total,
            $"no request was refused before its body was read (in_flight {early.InFlight}, broker_full {early.BrokerFull}, before {refusedBefore}); " +
            $"refused after parsing because the broker refused all of it: {await control.CounterAsync("gateway", "veltrix_gateway_requests_refused_total", ("reason", "broker_refused"))}");
        Assert.NotEmpty(accepted);

        // Every accepted answer counts once: a (player, puzzle) accepted several times is still one point.
        await player.AssertLeaderboardAsync(calm.Id, HuntPlayer.Expected(calmAnswers, Solutions(calm)), TimeSpan.FromMinutes(2));
        await player.AssertLeaderboardAsync(flood.Id, HuntPlayer.Expected(accepted.Keys.Select(i => floodAnswers[i]), Solutions(flood)), TimeSpan.FromMinutes(2));
    }

    /// <summary>The gateway's refusals before reading a body: at its in-flight bound, or with its gate closed after the broker refused.</summary>
    private static async Task<(double InFlight, double BrokerFull, double Total)> RefusedBeforeParsingAsync(ControlClient control)
    {
        var inFlight = await control.CounterAsync("gateway", "veltrix_gateway_requests_refused_total", ("reason", "in_flight"));
        var brokerFull = await control.CounterAsync("gateway", "veltrix_gateway_requests_refused_total", ("reason", "broker_full"));
        return (inFlight, brokerFull, inFlight + brokerFull);
    }

    /// <summary>Every puzzle answered right by each of <paramref name="players"/> players.</summary>
    private static IEnumerable<Answer> Answers(CreatedHunt hunt, int players) =>
        Enumerable.Range(0, players).SelectMany(p => hunt.PuzzleIds.Select((puzzle, n) => new Answer($"player-{p:D3}", puzzle, $"a{n + 1}")));

    private static Dictionary<string, (string Answer, int Points)> Solutions(CreatedHunt hunt) =>
        hunt.PuzzleIds.Select((id, n) => (id, n)).ToDictionary(p => p.id, p => ($"a{p.n + 1}", 1));
}
