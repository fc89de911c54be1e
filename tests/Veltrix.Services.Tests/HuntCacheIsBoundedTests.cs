using Veltrix.Hunt.Domain;
using Veltrix.Testing;

namespace Veltrix.Services.Tests;

/// <summary>
/// Issue 16: hunt kept every hunt it ever saw in memory, and anyone may create hunts. Its cache now holds at most
/// `Veltrix:Hunt:CacheSize` hunts; one pushed out is read from the state store again.
/// </summary>
public sealed class HuntCacheIsBoundedTests
{
    [Fact]
    public async Task Creating_many_more_hunts_than_the_cache_holds_keeps_it_at_its_bound_and_every_hunt_readable()
    {
        await using var system = await ServiceSidecar.StartAsync(huntCacheSize: 5);
        var ct = TestContext.Current.CancellationToken;
        var ids = Enumerable.Range(0, 60).Select(i => $"h{i:D3}").ToList();
        foreach (var id in ids)
            await system.Hunts.SaveAsync(new StoredHunt(id, id, "salt", [new StoredPuzzle("p1", "q", AnswerHasher.Hash("a", "salt"), 1)]), ct);
        // MemoryCache refuses an entry past its size limit and compacts in the background: poll until it settled.
        await Eventually.UntilAsync(() => system.Hunts.Cached <= 5, $"the cache to hold at most 5 hunts (holds {system.Hunts.Cached})");

        foreach (var id in ids) Assert.Equal(id, (await system.Hunts.FindAsync(id, ct))?.Id); // evicted ones come from the store
        Assert.True(system.Hunts.Cached <= 5, $"the cache holds {system.Hunts.Cached} hunts after reading all 60");
        Assert.Null(await system.Hunts.FindAsync("never-created", ct));
    }
}
