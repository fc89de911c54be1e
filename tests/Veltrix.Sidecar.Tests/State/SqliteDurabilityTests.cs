using System.Net;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.State;

public sealed class SqliteDurabilityTests
{
    [Fact]
    public async Task State_saved_to_sqlite_survives_a_sidecar_restart()
    {
        using var resources = new ResourcesFolder();
        resources.Write("state.yaml", Yaml.SqliteState("statestore", Path.Combine(resources.Path, "state.db")));

        string etag;
        await using (var first = await SidecarProcess.StartForAppAsync("durable", null, [resources.Path]))
        {
            using var api = new SidecarApi(first.BaseAddress);
            Assert.Equal(HttpStatusCode.NoContent, (await api.PostJsonAsync("/v1.0/state/statestore", """[{"key":"player-1","value":{"points":42}}]""")).StatusCode);
            etag = (await api.Http.GetAsync("/v1.0/state/statestore/player-1")).Headers.GetValues("ETag").Single();
            first.Kill(); // not a graceful stop: what was acknowledged must already be on disk
        }

        await using var second = await SidecarProcess.StartForAppAsync("durable", null, [resources.Path]);
        using var again = new SidecarApi(second.BaseAddress);
        var response = await again.Http.GetAsync("/v1.0/state/statestore/player-1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(42, (await SidecarApi.JsonAsync(response)).GetProperty("points").GetInt32());
        Assert.Equal(etag, response.Headers.GetValues("ETag").Single());
    }
}
