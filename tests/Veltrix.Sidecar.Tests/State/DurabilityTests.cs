using System.Net;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.State;

/// <summary>Every store that keeps data outside the sidecar process keeps what it acknowledged when the process dies.</summary>
public sealed class DurabilityTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task State_survives_a_killed_sidecar_with_the_same_etag(string store)
    {
        using var resources = new ResourcesFolder();
        resources.Write("state.yaml", store == "sqlite"
            ? Yaml.SqliteState("statestore", Path.Combine(resources.Path, "state.db"))
            : Yaml.PostgresState("statestore", $"t{Guid.NewGuid():N}_"));

        string etag;
        await using (var first = await SidecarProcess.StartForAppAsync("durable", null, [resources.Path]))
        {
            using var api = new SidecarApi(first.BaseAddress);
            Assert.Equal(HttpStatusCode.NoContent, (await api.PostJsonAsync("/v1.0/state/statestore", """[{"key":"player-1","value":{"points":42}}]""")).StatusCode);
            etag = (await api.Http.GetAsync("/v1.0/state/statestore/player-1")).Headers.GetValues("ETag").Single();
            first.Kill(); // not a graceful stop: what was acknowledged must already be stored
        }

        await using var second = await SidecarProcess.StartForAppAsync("durable", null, [resources.Path]);
        using var again = new SidecarApi(second.BaseAddress);
        var response = await again.Http.GetAsync("/v1.0/state/statestore/player-1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(42, (await SidecarApi.JsonAsync(response)).GetProperty("points").GetInt32());
        Assert.Equal(etag, response.Headers.GetValues("ETag").Single());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are Unix's
    public async Task The_SQLite_file_and_folder_the_sidecar_creates_are_readable_by_its_user_only()
    {
        using var resources = new ResourcesFolder();
        var file = Path.Combine(resources.Path, "private", "state.db");
        resources.Write("state.yaml", Yaml.SqliteState("statestore", file));
        await using var sidecar = await SidecarProcess.StartForAppAsync("private", null, [resources.Path]);
        using var api = new SidecarApi(sidecar.BaseAddress);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostJsonAsync("/v1.0/state/statestore", """[{"key":"player-1","value":{"points":1}}]""")).StatusCode);

        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(owner | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        // SQLite gives the write-ahead log and its index the database file's mode.
        foreach (var written in new[] { file, file + "-wal", file + "-shm" }.Where(File.Exists))
            Assert.Equal(owner, File.GetUnixFileMode(written));
        Assert.True(File.Exists(file + "-wal"), "WAL mode should have created the -wal file");
    }
}
