using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Veltrix.AppHost.Run;
using Veltrix.Testing;

namespace Veltrix.AppHost.Tests;

/// <summary>
/// The repository's dapr.yaml as Aspire runs it, through Aspire's testing builder: the dev sidecar and the six services
/// become healthy, a request reaches an app through its sidecar (service invocation with the run's token), the
/// dashboard's rollback command reaches control with the operator token, the dead-letter commands list and replay what
/// hunt parked, and disposing the app leaves no process behind.
/// </summary>
public sealed class TreasureHuntAppModelTests
{
    private static readonly string[] Resources = ["sidecar", "leaderboard", "gateway", "hunt", "scoring", "control", "prizes"];

    [Fact]
    public async Task Every_app_and_the_sidecar_become_healthy_an_app_answers_through_its_sidecar_and_stop_leaves_nothing_running()
    {
        using var resources = new ResourcesFolder();
        await using var storage = await SystemComponents.Embedded.CopyIntoAsync(resources);
        var logDir = Path.Combine(resources.Path, "..", Path.GetFileName(resources.Path) + "-logs");
        // Offsets keep dapr.yaml's ports (3501–5106) below the ephemeral range, away from a developer's own run.
        var offset = Random.Shared.Next(100, 270) * 100;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<PreparedRun>(
        [
            "--no-build", "--port-offset", offset.ToString(CultureInfo.InvariantCulture), "--resources-path", resources.Path,
            "--log-dir", logDir, "--file", Path.Combine(RepositoryLayout.Root, "dapr.yaml"),
        ]);
        var app = await builder.BuildAsync();
        List<int> pids;
        try
        {
            using var start = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await app.StartAsync(start.Token);
            foreach (var name in Resources) await app.ResourceNotifications.WaitForResourceHealthyAsync(name, start.Token);

            var run = app.Services.GetRequiredService<PreparedRun>();
            var hunt = run.Plan.Apps.Single(a => a.AppId == "hunt");
            Assert.Equal(5102 + offset, hunt.AppPort);
            Assert.Equal(3502 + offset, hunt.DaprHttpPort);

            // gateway's sidecar invokes hunt (Dapr service invocation): sidecar → app with APP_API_TOKEN, app → sidecar with DAPR_API_TOKEN.
            var gatewaySidecar = run.Plan.Apps.Single(a => a.AppId == "gateway").DaprHttpPort;
            using var http = new HttpClient();
            using var create = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{gatewaySidecar}/v1.0/invoke/hunt/method/hunts")
            {
                Content = JsonContent.Create(new { name = "harbour", puzzles = new[] { new { question = "What has keys but no locks?", answer = "a piano", points = 10 } } }),
            };
            create.Headers.Add("dapr-api-token", run.Tokens.Apps["gateway"].DaprApiToken);
            var created = await http.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var huntId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            var read = await http.GetAsync($"http://127.0.0.1:{hunt.AppPort}/hunts/{huntId}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);

            // Without the run's token the sidecar refuses: the token Aspire handed to the sidecar is the one that counts.
            var refused = await http.GetAsync($"http://127.0.0.1:{gatewaySidecar}/v1.0/invoke/hunt/method/hunts/{huntId}");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            // Each app has its own token, as with one daprd per app: hunt's opens nothing on gateway's sidecar port.
            Assert.NotEqual(run.Tokens.Apps["hunt"].DaprApiToken, run.Tokens.Apps["gateway"].DaprApiToken);
            using var withHuntsToken = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gatewaySidecar}/v1.0/invoke/hunt/method/hunts/{huntId}");
            withHuntsToken.Headers.Add("dapr-api-token", run.Tokens.Apps["hunt"].DaprApiToken);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(withHuntsToken)).StatusCode);

            // The dashboard's "Roll back configuration" command reaches control with the operator token: with only the
            // built-in version ever active, control answers that there is nothing to roll back to (a wrong token: 401).
            var control = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "control");
            var rollback = await app.ResourceCommands.ExecuteCommandAsync(control, "veltrix-config-rollback", start.Token);
            Assert.False(rollback.Success);
            Assert.Contains("there is no earlier activation to roll back to", rollback.Message);

            await DeadLetterCommandsListAndReplayAsync(app, run, start.Token);

            pids = ReadPids(logDir);
            Assert.Equal(7, pids.Count); // six apps and the one dev sidecar
            Assert.All(pids, pid => Assert.True(AppHostRun.IsAlive(pid), $"pid {pid} from run.json is not running"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        await Eventually.UntilAsync(() => pids.All(pid => !AppHostRun.IsAlive(pid)), "every process of the run to stop", TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// The dashboard's dead-letter commands are on the owners only (hunt, scoring, leaderboard in events/), and reach
    /// the owner with the operator token: one poison answer (an id with `||`, dropped by hunt) shows up in "List dead
    /// letters" of hunt, and "Replay dead letters" publishes it again and says so.
    /// </summary>
    private static async Task DeadLetterCommandsListAndReplayAsync(DistributedApplication app, PreparedRun run, CancellationToken cancellationToken)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        string[] Commands(string name) => [.. model.Resources.Single(r => r.Name == name).Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name)];
        foreach (var owner in (string[])["hunt", "scoring", "leaderboard"])
            Assert.Contains("veltrix-deadletters-replay", Commands(owner));
        foreach (var other in (string[])["gateway", "control", "prizes"])
            Assert.DoesNotContain("veltrix-deadletters-list", Commands(other));

        var hunt = model.Resources.Single(r => r.Name == "hunt");
        var poisonId = $"dashboard-poison-{Guid.NewGuid():N}";
        using var http = new HttpClient();
        using var publish = new HttpRequestMessage(HttpMethod.Post,
            $"http://127.0.0.1:{run.Plan.Apps.Single(a => a.AppId == "gateway").DaprHttpPort}/v1.0/publish/pubsub/answer.submitted")
        {
            Content = new StringContent(JsonSerializer.Serialize(new
            {
                specversion = "1.0", id = poisonId, source = "apphost-test", type = "answer.submitted", datacontenttype = "application/json",
                data = new { huntId = "h1", puzzleId = "p1", playerId = "mallory||x", answer = "a" },
            }), System.Text.Encoding.UTF8, "application/cloudevents+json"),
        };
        publish.Headers.Add("dapr-api-token", run.Tokens.Apps["gateway"].DaprApiToken);
        using (var published = await http.SendAsync(publish, cancellationToken))
            Assert.True(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync(cancellationToken));

        ExecuteCommandResult list = null!;
        var parked = await Eventually.TryAsync(async () =>
            (list = await app.ResourceCommands.ExecuteCommandAsync(hunt, "veltrix-deadletters-list", cancellationToken)).Success
            && list.Message == "1 parked: answer.submitted 1", TimeSpan.FromSeconds(60));
        Assert.True(parked, $"hunt's \"List dead letters\" answered: success {list.Success}, {list.Message}");

        var replay = await app.ResourceCommands.ExecuteCommandAsync(hunt, "veltrix-deadletters-replay", cancellationToken);
        Assert.True(replay.Success, replay.Message);
        Assert.StartsWith("1 replayed, 0 skipped (replayed before), 0 failed: answer.submitted 1 replayed", replay.Message);
    }

    private static List<int> ReadPids(string logDir)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(logDir, "run.json")));
        var root = document.RootElement;
        return [.. root.GetProperty("apps").EnumerateArray().Select(a => a.GetProperty("pid").GetInt32()).Append(root.GetProperty("sidecarPid").GetInt32())];
    }
}
