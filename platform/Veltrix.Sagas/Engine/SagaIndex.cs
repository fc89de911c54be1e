namespace Veltrix.Sagas;

/// <summary>Reads and writes the sharded instance index (a hint; see <see cref="SagaIndexShard"/>).</summary>
internal sealed class SagaIndex(ISagaStore store, SagaOptions options)
{
    public async Task RecordAsync(SagaDocument doc, CancellationToken cancellationToken)
    {
        var entry = new SagaIndexEntry(doc.SagaName, doc.Status, doc.WakeAt, doc.CreatedAt, doc.UpdatedAt);
        await UpdateAsync(doc.InstanceId, shard =>
        {
            if (shard.Instances.TryGetValue(doc.InstanceId, out var current) && current == entry) return false;
            shard.Instances[doc.InstanceId] = entry;
            return true;
        }, cancellationToken);
    }

    public Task RemoveAsync(string instanceId, CancellationToken cancellationToken) =>
        UpdateAsync(instanceId, shard => shard.Instances.Remove(instanceId), cancellationToken);

    public async Task<IReadOnlyList<(string InstanceId, SagaIndexEntry Entry)>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, options.IndexShards)
            .Select(i => store.GetAsync(SagaKeys.IndexShard(i), SagaJson.Default.SagaIndexShard, cancellationToken)));
        return shards.Where(s => s is not null).SelectMany(s => s!.Value.Instances.Select(p => (p.Key, p.Value))).ToList();
    }

    private async Task UpdateAsync(string instanceId, Func<SagaIndexShard, bool> change, CancellationToken cancellationToken)
    {
        var key = SagaKeys.IndexShard(SagaKeys.ShardOf(instanceId, options.IndexShards));
        for (var attempt = 1; ; attempt++)
        {
            var stored = await store.GetAsync(key, SagaJson.Default.SagaIndexShard, cancellationToken);
            var shard = stored?.Value ?? SagaIndexShard.Empty();
            if (!change(shard)) return;
            if (await store.TrySaveAsync(key, shard, SagaJson.Default.SagaIndexShard, stored?.ETag, cancellationToken)) return;
            if (attempt >= options.MaxCasAttempts * 2) // every tick of every instance of the shard writes here: allow more races than on a document
                throw new InvalidOperationException($"the saga index shard '{key}' kept changing under {attempt} attempts");
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * Math.Min(attempt, 10))), cancellationToken);
        }
    }
}
