using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Veltrix.Events.Publishing;
using Veltrix.Events.Store;
using Veltrix.ServiceDefaults.State;

namespace Veltrix.Events.DeadLetters;

/// <summary>
/// The owner's parked dead letters in its state store: one record per event (`deadletter-{type}-{id}`) and one index per
/// type (`deadletters-{type}`, oldest first). The index is bounded (<see cref="EventsOptions.DeadLetterRetention"/>):
/// parking one more evicts the oldest, counted, so a flood of poison events cannot grow the store without end.
/// Parking is idempotent — a redelivered dead letter has the same id, rewrites its own record and is indexed once.
/// </summary>
public sealed class DeadLetterStore(DaprClient dapr, IOptions<EventsOptions> options, RoutingMetrics metrics)
{
    private const int MaxAttempts = 50;

    private string Store => options.Value.DeadLetterStore;

    public async Task ParkAsync(ParkedDeadLetter letter, CancellationToken cancellationToken)
    {
        // A replayed letter that failed again keeps its replay count: the operator sees it came back.
        if (await FindAsync(letter.Type, letter.EventId, cancellationToken) is { Replays: > 0 } earlier)
            letter = letter with { Replays = earlier.Replays, ReplayedAt = earlier.ReplayedAt };
        // The record first: an indexed id always has its record (an unindexed record is found again when it is redelivered).
        await dapr.SaveStateAsync(Store, RecordKey(letter.Type, letter.EventId), letter, cancellationToken: cancellationToken);
        var evicted = await UpdateIndexAsync(letter.Type, ids =>
        {
            if (ids.Contains(letter.EventId)) return [];
            ids.Add(letter.EventId);
            var over = ids.Count - options.Value.DeadLetterRetention;
            if (over <= 0) return [];
            var oldest = ids.GetRange(0, over);
            ids.RemoveRange(0, over);
            return oldest;
        }, cancellationToken);
        foreach (var id in evicted) await dapr.DeleteStateAsync(Store, RecordKey(letter.Type, id), cancellationToken: cancellationToken);
        if (evicted.Count > 0) metrics.DeadLettersEvicted(letter.Type, evicted.Count);
    }

    /// <summary>The ids of the parked dead letters of <paramref name="type"/>, oldest first (the index alone, no records read).</summary>
    public async Task<IReadOnlyList<string>> IdsAsync(string type, CancellationToken cancellationToken) =>
        (await ReadIndexAsync(type, cancellationToken)).Index.EventIds;

    /// <summary>The parked dead letters of <paramref name="type"/>, newest first, at most <paramref name="limit"/>.</summary>
    public async Task<(int Total, IReadOnlyList<ParkedDeadLetter> Letters)> ListAsync(string type, int limit, CancellationToken cancellationToken)
    {
        var ids = await IdsAsync(type, cancellationToken);
        var newest = ids.Reverse().Take(limit).ToList();
        var letters = new List<ParkedDeadLetter>(newest.Count);
        foreach (var items in newest.Chunk(100))
        {
            var read = await dapr.GetBulkStateAsync(Store, [.. items.Select(id => RecordKey(type, id))], parallelism: 4, cancellationToken: cancellationToken);
            var byKey = read.Where(r => !string.IsNullOrEmpty(r.Value)).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
            foreach (var id in items)
                if (byKey.TryGetValue(RecordKey(type, id), out var json) && JsonSerializer.Deserialize(json, EventsJson.Default.ParkedDeadLetter) is { } letter)
                    letters.Add(letter);
        }
        return (ids.Count, letters);
    }

    public Task<ParkedDeadLetter?> FindAsync(string type, string eventId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<ParkedDeadLetter?>(Store, RecordKey(type, eventId), cancellationToken: cancellationToken);

    public Task SaveAsync(ParkedDeadLetter letter, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(Store, RecordKey(letter.Type, letter.EventId), letter, cancellationToken: cancellationToken);

    /// <summary>Removes the given ids (or all of the type's when null) from the index and deletes their records; returns what was removed.</summary>
    public async Task<IReadOnlyList<string>> PurgeAsync(string type, IReadOnlyCollection<string>? eventIds, CancellationToken cancellationToken)
    {
        var removed = await UpdateIndexAsync(type, ids =>
        {
            var gone = eventIds is null ? [.. ids] : ids.Where(eventIds.Contains).ToList();
            ids.RemoveAll(gone.Contains);
            return gone;
        }, cancellationToken);
        foreach (var id in removed) await dapr.DeleteStateAsync(Store, RecordKey(type, id), cancellationToken: cancellationToken);
        return removed;
    }

    /// <summary>Reads the index, lets <paramref name="change"/> edit it and returns what it reports, writing only on change (compare-and-swap, retried).</summary>
    private async Task<List<string>> UpdateIndexAsync(string type, Func<List<string>, List<string>> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (index, etag) = await ReadIndexAsync(type, cancellationToken);
            var before = index.EventIds.Count;
            var reported = change(index.EventIds);
            if (reported.Count == 0 && index.EventIds.Count == before) return reported;
            if (await dapr.TrySaveStateIfUnchangedAsync(Store, IndexKey(type), index, EventsJson.Default.DeadLetterIndex, etag, cancellationToken)) return reported;
            if (attempt == MaxAttempts) throw new InvalidOperationException($"the dead-letter index of {type} kept changing under {MaxAttempts} attempts");
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10) * Math.Min(attempt, 10)), cancellationToken);
        }
    }

    private async Task<(DeadLetterIndex Index, string ETag)> ReadIndexAsync(string type, CancellationToken cancellationToken)
    {
        var (bytes, etag) = await dapr.GetByteStateAndETagAsync(Store, IndexKey(type), cancellationToken: cancellationToken);
        var index = bytes.IsEmpty ? null : JsonSerializer.Deserialize(bytes.Span, EventsJson.Default.DeadLetterIndex);
        return (index ?? new DeadLetterIndex([]), etag);
    }

    private static string IndexKey(string type) => $"deadletters-{type}";

    /// <summary>
    /// The record's key. An event id is anyone's text, and state keys may not hold every character (daprd reserves `||`):
    /// ids of plain characters are used as they are, any other id by its SHA-256, so every id has a key that round-trips.
    /// </summary>
    public static string RecordKey(string type, string eventId) =>
        eventId.Length <= 200 && eventId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? $"deadletter-{type}-{eventId}"
            : $"deadletter-{type}-sha256-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(eventId)))}";
}
