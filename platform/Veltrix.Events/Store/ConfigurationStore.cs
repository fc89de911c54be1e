using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Veltrix.ServiceDefaults.State;

namespace Veltrix.Events.Store;

/// <summary>
/// The configuration documents in the Dapr state store every app shares (`eventconfig`, keyPrefix `name`): versions
/// are first-write and never change; the version index and the active pointer change only by compare-and-swap.
/// </summary>
public sealed class ConfigurationStore(DaprClient dapr, string storeName)
{
    public const string DefaultStoreName = "eventconfig";
    private const string ActiveKey = "active";
    private const string NamesKey = "names";
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public string StoreName => storeName;

    public Task<(ActivePointer? Value, string ETag)> GetActiveAsync(CancellationToken cancellationToken) =>
        dapr.GetStateAndETagAsync<ActivePointer?>(storeName, ActiveKey, cancellationToken: cancellationToken);

    /// <summary>Moves the active pointer if nobody moved it since <paramref name="etag"/> was read (empty: only if there is none yet).</summary>
    public Task<bool> TrySetActiveAsync(ActivePointer pointer, string etag, CancellationToken cancellationToken) =>
        dapr.TrySaveStateIfUnchangedAsync(storeName, ActiveKey, pointer, EventsJson.Default.ActivePointer, etag, cancellationToken);

    public Task<(VersionIndex? Value, string ETag)> GetIndexAsync(string name, CancellationToken cancellationToken) =>
        dapr.GetStateAndETagAsync<VersionIndex?>(storeName, IndexKey(name), cancellationToken: cancellationToken);

    public Task<StoredVersion?> GetVersionAsync(string name, int version, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<StoredVersion?>(storeName, VersionKey(name, version), cancellationToken: cancellationToken);

    /// <summary>
    /// Stores <paramref name="yaml"/> as the next version of <paramref name="name"/>: the version document first-write,
    /// the index by compare-and-swap, both in one transaction; a concurrent apply makes this one take the next number.
    /// Applying the text of the latest version again stores nothing and returns that version.
    /// </summary>
    public async Task<(StoredVersion Version, bool Created)> AppendAsync(string name, string yaml, int eventTypes, TimeProvider time, CancellationToken cancellationToken)
    {
        var digest = Digest(yaml);
        for (var attempt = 0; ; attempt++)
        {
            var (index, etag) = await GetIndexAsync(name, cancellationToken);
            if (index is { Versions.Count: > 0 } && index.Versions[^1].Digest == digest)
                return ((await GetVersionAsync(name, index.Latest, cancellationToken))!, false);
            var next = (index?.Latest ?? 0) + 1;
            var stored = new StoredVersion(name, next, yaml, time.GetUtcNow(), digest);
            var summaries = (index?.Versions ?? []).Append(new VersionSummary(next, stored.AppliedAt, digest, eventTypes)).ToList();
            var index2 = JsonSerializer.SerializeToUtf8Bytes(new VersionIndex(name, summaries), EventsJson.Default.VersionIndex);
            var operations = new List<StateTransactionRequest>
            {
                new(VersionKey(name, next), JsonSerializer.SerializeToUtf8Bytes(stored, EventsJson.Default.StoredVersion), StateOperationType.Upsert, options: FirstWrite),
                etag.Length > 0
                    ? new(IndexKey(name), index2, StateOperationType.Upsert, etag)
                    : new(IndexKey(name), index2, StateOperationType.Upsert, options: FirstWrite),
            };
            try
            {
                await dapr.ExecuteStateTransactionAsync(storeName, operations, cancellationToken: cancellationToken);
                if (next == 1) await AddNameAsync(name, cancellationToken);
                return (stored, true);
            }
            catch (DaprException) when (attempt < 20)
            {
                // Another apply took this number (daprd reports a transaction's ETag conflict as a failed transaction,
                // not as Aborted): read the index again and take the next one. Nothing was written by the failed one.
            }
        }
    }

    /// <summary>Every configuration name ever applied, in the order they first were.</summary>
    public async Task<IReadOnlyList<string>> GetNamesAsync(CancellationToken cancellationToken) =>
        (await dapr.GetStateAsync<ConfigurationNames?>(storeName, NamesKey, cancellationToken: cancellationToken))?.Names ?? [];

    public async Task AddNameAsync(string name, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var (names, etag) = await dapr.GetStateAndETagAsync<ConfigurationNames?>(storeName, NamesKey, cancellationToken: cancellationToken);
            if (names?.Names.Contains(name) == true) return;
            var next = new ConfigurationNames([.. names?.Names ?? [], name]);
            if (await dapr.TrySaveStateIfUnchangedAsync(storeName, NamesKey, next, EventsJson.Default.ConfigurationNames, etag, cancellationToken)) return;
        }
    }

    public Task<SubscriptionReport?> GetSubscriptionReportAsync(string appId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<SubscriptionReport?>(storeName, ReportKey(appId), cancellationToken: cancellationToken);

    public Task SaveSubscriptionReportAsync(SubscriptionReport report, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(storeName, ReportKey(report.AppId), report, cancellationToken: cancellationToken);

    public static string Digest(string yaml) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml.ReplaceLineEndings("\n"))))[..16];

    private static string IndexKey(string name) => $"versions-{name}";

    private static string VersionKey(string name, int version) => $"version-{name}-{version}";

    private static string ReportKey(string appId) => $"subscribed-{appId}";
}
