using System.Net;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.State;

/// <summary>
/// The SQLite store copies its write-ahead log into the database file from a connection of its own, not inside the
/// commit that fills the log (SQLite's own checkpoint, at 1,000 pages, made every state call wait for two fsyncs).
/// </summary>
public sealed class WalCheckpointTests
{
    [Fact]
    public async Task Committed_pages_reach_the_database_file_before_the_log_holds_a_thousand_pages()
    {
        using var resources = new ResourcesFolder();
        var file = Path.Combine(resources.Path, "state.db");
        resources.Write("state.yaml", Yaml.SqliteState("statestore", file));
        await using var sidecar = await SidecarProcess.StartForAppAsync("checkpoints", null, [resources.Path]);
        using var api = new SidecarApi(sidecar.BaseAddress);
        var before = new FileInfo(file).Length;

        // 200 values of 2 KB: about 100 pages of 4 KB in the log, a tenth of what makes SQLite checkpoint by itself.
        var value = new string('x', 2_000);
        var items = string.Join(",", Enumerable.Range(0, 200).Select(i => $$$"""{"key":"player-{{{i}}}","value":{"name":"{{{value}}}"}}"""));
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostJsonAsync("/v1.0/state/statestore", $"[{items}]")).StatusCode);

        await Eventually.UntilAsync(() => new FileInfo(file).Length >= before + 200 * 2_000,
            "the committed pages to be copied into the database file");
        var response = await api.Http.GetAsync("/v1.0/state/statestore/player-199");
        Assert.Equal(value, (await SidecarApi.JsonAsync(response)).GetProperty("name").GetString());
    }
}
