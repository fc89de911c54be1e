using System.Text.RegularExpressions;

namespace Veltrix.Sagas;

/// <summary>State keys and instance IDs.</summary>
internal static partial class SagaKeys
{
    public static string Document(string instanceId) => $"saga:{instanceId}";

    public static string IndexShard(int shard) => $"saga-index:{shard}";

    /// <summary>FNV-1a: stable across processes and runtimes (string.GetHashCode is not).</summary>
    public static int ShardOf(string instanceId, int shards)
    {
        var hash = 2166136261u;
        foreach (var c in instanceId) hash = (hash ^ c) * 16777619u;
        return (int)(hash % (uint)shards);
    }

    public static string IdempotencyKey(SagaDocument doc, string step, bool compensation) =>
        $"{doc.InstanceId}/{doc.Generation}/{step}" + (compensation ? "/compensate" : "");

    public static bool IsValidInstanceId(string? id) => id is not null && InstanceIdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex InstanceIdPattern();
}
