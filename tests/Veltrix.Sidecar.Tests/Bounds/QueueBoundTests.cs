using System.Net;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Bounds;

/// <summary>Every subscription holds a bounded number of undelivered messages; past it publishers are told, and nothing accepted is lost.</summary>
public sealed class QueueBoundTests
{
    [Fact]
    public async Task A_full_subscription_refuses_publishes_with_a_bound_error_and_delivers_everything_it_accepted()
    {
        await using var flood = await HeldSubscription.StartAsync();
        var (app, api, gate) = (flood.App, flood.Api, flood.Gate);

        for (var n = 1; n <= 5; n++)
            Assert.Equal(HttpStatusCode.NoContent, (await api.PublishAsync("pubsub", "flood", $$"""{"n":{{n}}}""")).StatusCode);
        var refused = await api.PublishAsync("pubsub", "flood", """{"n":6}""");
        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        var error = await SidecarApi.JsonAsync(refused);
        Assert.Equal("ERR_PUBSUB_PUBLISH_MESSAGE", error.GetProperty("errorCode").GetString());
        Assert.Contains("VX2010", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("--subscription-queue-depth", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        var bulk = await api.PostJsonAsync("/v1.0-alpha1/publish/bulk/pubsub/flood", """[{"entryId":"a","event":{"n":7}},{"entryId":"b","event":{"n":8}}]""");
        Assert.Equal(HttpStatusCode.InternalServerError, bulk.StatusCode);
        var failed = (await SidecarApi.JsonAsync(bulk)).GetProperty("failedEntries").EnumerateArray().Select(e => e.GetProperty("entryId").GetString()).ToList();
        Assert.Equal(["a", "b"], failed);

        gate.SetResult();
        await Eventually.UntilAsync(() => app.Count("/flood") == 5, "the five accepted messages");
        var numbers = app.On("/flood").Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("n").GetInt32()).Order().ToList();
        Assert.Equal([1, 2, 3, 4, 5], numbers);

        // Room again once they are delivered.
        await Eventually.UntilAsync(async () => (await api.PublishAsync("pubsub", "flood", """{"n":9}""")).StatusCode == HttpStatusCode.NoContent, "a publish to be accepted again");
    }

    [Fact]
    public async Task A_bulk_publish_is_admitted_whole_or_refused_whole_so_no_batch_is_split_at_the_bound()
    {
        await using var flood = await HeldSubscription.StartAsync();
        var (app, api, gate) = (flood.App, flood.Api, flood.Gate);
        static string Entries(params int[] numbers) => "[" + string.Join(',', numbers.Select(n => $$$"""{"entryId":"e{{{n}}}","event":{"n":{{{n}}}}}""")) + "]";

        Assert.Equal(HttpStatusCode.NoContent, (await api.PostJsonAsync("/v1.0-alpha1/publish/bulk/pubsub/flood", Entries(1, 2, 3))).StatusCode);
        var refused = await api.PostJsonAsync("/v1.0-alpha1/publish/bulk/pubsub/flood", Entries(4, 5, 6)); // 2 places left for 3
        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        var failed = (await SidecarApi.JsonAsync(refused)).GetProperty("failedEntries").EnumerateArray().ToList();
        Assert.Equal(["e4", "e5", "e6"], failed.Select(e => e.GetProperty("entryId").GetString()));
        Assert.All(failed, e => Assert.Contains("VX2010", e.GetProperty("error").GetString(), StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostJsonAsync("/v1.0-alpha1/publish/bulk/pubsub/flood", Entries(7, 8))).StatusCode); // fits

        gate.SetResult();
        await Eventually.UntilAsync(() => app.Count("/flood") == 5, "the five accepted messages");
        var numbers = app.On("/flood").Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("n").GetInt32()).Order().ToList();
        Assert.Equal([1, 2, 3, 7, 8], numbers);
    }

    /// <summary>
    /// A sidecar whose one subscription (topic `flood`) holds at most 5 messages, delivered one at a time to an app that
    /// answers none of them until <see cref="Gate"/> is set: whatever is published stays in the queue until then.
    /// </summary>
    private sealed class HeldSubscription : IAsyncDisposable
    {
        private ResourcesFolder _resources = null!;
        private SidecarProcess _sidecar = null!;

        public RecordingApp App { get; private init; } = null!;
        public SidecarApi Api { get; private set; } = null!;
        public TaskCompletionSource Gate { get; } = new();

        public static async Task<HeldSubscription> StartAsync()
        {
            var held = new HeldSubscription { App = await RecordingApp.StartAsync("""[{"pubsubname":"pubsub","topic":"flood","route":"/flood"}]""") };
            held.App.RespondAsync("/flood", async (_, _) =>
            {
                await held.Gate.Task.WaitAsync(TimeSpan.FromSeconds(60));
                return (200, null);
            });
            held._resources = new ResourcesFolder(Yaml.InMemoryPubSub());
            held._sidecar = await SidecarProcess.StartForAppAsync("bounded", held.App.Port, [held._resources.Path],
                extraArguments: ["--subscription-queue-depth", "5", "--subscription-concurrency", "1"]);
            held.Api = new SidecarApi(held._sidecar.BaseAddress);
            return held;
        }

        public async ValueTask DisposeAsync()
        {
            Gate.TrySetResult();
            Api.Dispose();
            await _sidecar.DisposeAsync();
            _resources.Dispose();
            await App.DisposeAsync();
        }
    }
}
