using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Veltrix.Events.Checks;
using Veltrix.Events.Publishing;
using Veltrix.ServiceDefaults;

namespace Veltrix.Events.DeadLetters;

/// <summary>What an operator asks to replay or purge: some event ids, or all of the type's; replay at most this many per second.</summary>
public sealed record DeadLetterSelection(List<string>? EventIds, bool All, bool Force, int? RatePerSecond);

/// <summary>A parked dead letter without its data, for lists.</summary>
public sealed record DeadLetterSummary(string EventId, string? Topic, DateTimeOffset ParkedAt, string? Configuration, int? Version, string? Cause, int Replays,
    DateTimeOffset? ReplayedAt);

public sealed record DeadLetterTypeCount(string Type, int Parked);

public sealed record DeadLetterPage(string Type, int Parked, List<DeadLetterSummary> Items);

public sealed record DeadLetterSkip(string EventId, string Reason);

public sealed record ReplayResult(string Type, List<string> Replayed, List<DeadLetterSkip> Skipped, List<DeadLetterSkip> Failed);

public sealed record PurgeResult(string Type, List<string> Purged);

/// <summary>
/// The operator API of a dead-letter owner (operator token), behind `veltrix deadletters`:
/// <c>GET /veltrix/dead-letters</c> (types and counts), <c>GET /veltrix/dead-letters/{type}?limit=</c> (newest first),
/// <c>GET /veltrix/dead-letters/{type}/{eventId}</c> (one, with its data), <c>POST …/{type}/replay</c> and
/// <c>POST …/{type}/purge</c> with a <see cref="DeadLetterSelection"/>.
/// </summary>
public static class DeadLetterApi
{
    private const int MaxSelection = 1000;

    public static void Map(IEndpointRouteBuilder app, IReadOnlyCollection<string> ownedTypes)
    {
        var group = app.MapGroup("/veltrix/dead-letters").RequireOperatorToken();
        group.MapGet("", async (DeadLetterStore store, CancellationToken ct) =>
        {
            var counts = new List<DeadLetterTypeCount>();
            foreach (var type in ownedTypes.Order(StringComparer.Ordinal)) counts.Add(new DeadLetterTypeCount(type, (await store.IdsAsync(type, ct)).Count));
            return Results.Json(counts, EventsJson.Default.ListDeadLetterTypeCount);
        });
        group.MapGet("/{type}", async (string type, int? limit, DeadLetterStore store, CancellationToken ct) =>
        {
            if (!ownedTypes.Contains(type)) return NotOwned(type, ownedTypes);
            var (total, letters) = await store.ListAsync(type, Math.Clamp(limit ?? 100, 1, MaxSelection), ct);
            return Results.Json(new DeadLetterPage(type, total, [.. letters.Select(Summary)]), EventsJson.Default.DeadLetterPage);
        });
        group.MapGet("/{type}/{eventId}", async (string type, string eventId, DeadLetterStore store, CancellationToken ct) =>
        {
            if (!ownedTypes.Contains(type)) return NotOwned(type, ownedTypes);
            return await store.FindAsync(type, eventId, ct) is { } letter
                ? Results.Json(letter, EventsJson.Default.ParkedDeadLetter)
                : Problems.Create(StatusCodes.Status404NotFound, EventErrorCodes.DeadLetterNotFound, "Dead letter not found",
                    $"no parked dead letter of {type} has the id '{eventId}' (never parked, purged, or evicted past the retention)");
        });
        group.MapPost("/{type}/replay", async (string type, DeadLetterSelection selection, DeadLetterStore store, EventPublisher publisher, RoutingMetrics metrics,
            CancellationToken ct) =>
        {
            if (!ownedTypes.Contains(type)) return NotOwned(type, ownedTypes);
            if (Invalid(selection) is { } invalid) return invalid;
            // All: the newest MaxSelection, oldest first, from the index alone (each letter is read once, as it is replayed).
            var all = selection.EventIds is null ? await store.IdsAsync(type, ct) : [];
            var ids = selection.EventIds ?? [.. all.Skip(Math.Max(0, all.Count - MaxSelection))];
            var result = await ReplayAsync(type, ids, selection, store, publisher, ct);
            metrics.DeadLettersReplayed(type, result.Replayed.Count);
            return Results.Json(result, EventsJson.Default.ReplayResult);
        });
        group.MapPost("/{type}/purge", async (string type, DeadLetterSelection selection, DeadLetterStore store, RoutingMetrics metrics, CancellationToken ct) =>
        {
            if (!ownedTypes.Contains(type)) return NotOwned(type, ownedTypes);
            if (Invalid(selection) is { } invalid) return invalid;
            var purged = await store.PurgeAsync(type, selection.All ? null : selection.EventIds, ct);
            metrics.DeadLettersPurged(type, purged.Count);
            return Results.Json(new PurgeResult(type, [.. purged]), EventsJson.Default.PurgeResult);
        });
    }

    /// <summary>
    /// Publishes each selected dead letter again to its event type's topic under the active version, with its original
    /// event id, so consumers that record what they processed by id stay exact. A letter replayed before is skipped
    /// unless <see cref="DeadLetterSelection.Force"/>: replaying twice changes nothing the second time. Paced at the rate asked.
    /// </summary>
    private static async Task<ReplayResult> ReplayAsync(string type, IReadOnlyList<string> ids, DeadLetterSelection selection, DeadLetterStore store,
        EventPublisher publisher, CancellationToken ct)
    {
        var result = new ReplayResult(type, [], [], []);
        var pause = TimeSpan.FromSeconds(1.0 / Math.Clamp(selection.RatePerSecond ?? 100, 1, 1000));
        foreach (var id in ids)
        {
            if (await store.FindAsync(type, id, ct) is not { } letter)
            {
                result.Skipped.Add(new DeadLetterSkip(id, "not parked (never, purged, or evicted)"));
                continue;
            }
            if (letter.Replays > 0 && !selection.Force)
            {
                result.Skipped.Add(new DeadLetterSkip(id, $"already replayed at {letter.ReplayedAt:u}; pass force to send it again"));
                continue;
            }
            var failures = await publisher.ReplayAsync(type, [new OutgoingEvent<JsonElement>(id, letter.Data)], EventsJson.Default.RoutedEventJsonElement, ct);
            if (failures.Count > 0)
            {
                result.Failed.Add(new DeadLetterSkip(id, failures[0].Error));
                continue;
            }
            await store.SaveAsync(letter with { Replays = letter.Replays + 1, ReplayedAt = DateTimeOffset.UtcNow }, ct);
            result.Replayed.Add(id);
            await Task.Delay(pause, ct);
        }
        return result;
    }

    private static IResult? Invalid(DeadLetterSelection selection) => selection switch
    {
        { All: true, EventIds.Count: > 0 } => Problems.Create(StatusCodes.Status400BadRequest, EventErrorCodes.DeadLetterSelectionMissing, "Ambiguous selection",
            "send either \"eventIds\" or \"all\": true, not both"),
        { All: false, EventIds: null or { Count: 0 } } => Problems.Create(StatusCodes.Status400BadRequest, EventErrorCodes.DeadLetterSelectionMissing, "Nothing selected",
            "send {\"eventIds\": [...]} to name the dead letters, or {\"all\": true} for every parked one of the type"),
        { EventIds.Count: > MaxSelection } => Problems.Create(StatusCodes.Status400BadRequest, EventErrorCodes.DeadLetterSelectionMissing, "Too many ids",
            $"at most {MaxSelection} event ids per request; send the rest in another request"),
        { RatePerSecond: < 1 or > 1000 } => Problems.Create(StatusCodes.Status400BadRequest, EventErrorCodes.DeadLetterSelectionMissing, "Rate out of range",
            "\"ratePerSecond\" is 1 to 1000"),
        _ => null,
    };

    private static IResult NotOwned(string type, IReadOnlyCollection<string> owned) =>
        Problems.Create(StatusCodes.Status404NotFound, EventErrorCodes.NotADeadLetterOwner, "Not a dead-letter owner",
            $"this app owns no dead letters of '{type}'; it owns {(owned.Count == 0 ? "none" : string.Join(", ", owned.Order(StringComparer.Ordinal)))} (deadLetter.owner in the event configuration)");

    private static DeadLetterSummary Summary(ParkedDeadLetter l) => new(l.EventId, l.Topic, l.ParkedAt, l.Configuration, l.Version, l.Cause, l.Replays, l.ReplayedAt);
}
