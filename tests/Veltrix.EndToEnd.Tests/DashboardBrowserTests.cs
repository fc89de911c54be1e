using System.Diagnostics;
using System.Text;
using Microsoft.Playwright;
using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// The Aspire dashboard of a real `AppHost` run, in Debian's Chromium (Playwright, never a downloaded browser), read
/// the way a person reads it: logged in with the run's login link (Aspire's testing builder hands it out, as AppHost
/// prints it for a user), the resources page, then the trace of one answer.
/// The selectors are the dashboard's accessible names (grid cells labelled "Project: hunt", "Running",
/// "gateway: POST /v1/events"), not its generated CSS classes.
/// </summary>
[Collection(nameof(EmbeddedSystem))]
public sealed class DashboardBrowserTests(EmbeddedSystemFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] Apps = ["leaderboard", "gateway", "hunt", "scoring", "control", "prizes"];

    /// <summary>Where the resources page's screenshot goes; `VELTRIX_DASHBOARD_SCREENSHOT=docs/images/dashboard.png` refreshes the README's.</summary>
    private static string ScreenshotPath =>
        Environment.GetEnvironmentVariable("VELTRIX_DASHBOARD_SCREENSHOT") is { Length: > 0 } path
            ? Path.GetFullPath(path, RepositoryLayout.Root)
            : Path.Combine(Path.GetTempPath(), "veltrix-dashboard-resources.png");

    [Fact]
    public async Task The_resources_page_lists_every_app_and_the_sidecar_running_and_healthy()
    {
        await using var dashboard = await DashboardSession.OpenAsync(await LoginLinkAsync());
        var page = dashboard.Page;

        foreach (var (kind, name) in Apps.Select(a => ("Project", a)).Append(("Executable", "sidecar")))
        {
            var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Gridcell, new() { Name = $"{kind}: {name}", Exact = true }) });
            await Assertions.Expect(row).ToHaveCountAsync(1, new() { Timeout = 60_000 });
            // The state cell is labelled with the state; a running resource whose health checks fail gets the dashboard's
            // running-and-unhealthy label instead of plain "Running".
            await Assertions.Expect(row.GetByRole(AriaRole.Gridcell, new() { Name = "Running", Exact = true })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        }

        await page.ScreenshotAsync(new() { Path = ScreenshotPath });
        Assert.True(new FileInfo(ScreenshotPath).Length > 1024, $"{ScreenshotPath} is empty");
    }

    /// <summary>
    /// One answer sent with a W3C traceparent the test chose: the dashboard's trace page of that trace id shows the
    /// gateway's request and its publish to the sidecar, and the process spans of that answer's events at hunt, scoring
    /// and leaderboard (issue 12: one answer is one trace, though every consumer subscribes in bulk — each entry's span
    /// continues its CloudEvent's traceparent, and what it publishes continues that span).
    /// </summary>
    [Fact]
    public async Task The_trace_of_one_answer_shows_the_gateway_request_its_publish_and_its_processing_at_hunt_scoring_and_leaderboard_in_the_dashboard()
    {
        using var player = new HuntPlayer(fixture.System);
        // Tests before this one in the collection can leave scoring working through thousands of re-published duplicates
        // after their boards are exact; its span exporter's bounded queue drops spans meanwhile. Start from a quiet scoring:
        // no delivery counted for a second.
        using (var control = new ControlClient(fixture.System))
        {
            var last = -1.0;
            await Eventually.UntilAsync(async () =>
            {
                var delivered = await control.CounterAsync("scoring", "veltrix_events_delivered_total");
                var quiet = delivered == last;
                last = delivered;
                if (!quiet) await Task.Delay(TimeSpan.FromSeconds(1));
                return quiet;
            }, "scoring to finish the deliveries earlier tests left behind", TimeSpan.FromMinutes(3));
        }
        var hunt = await player.CreateHuntAsync("dashboard", new PuzzleSpec("2 + 2?", "four", 10));
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var ada = await player.TokenAsync(hunt.Id, "ada");
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.System.Url("gateway"), "/v1/events")))
        {
            request.Content = new StringContent(HuntPlayer.Events(hunt.Id, [($"{hunt.Id}-0", new Answer("ada", hunt.PuzzleIds[0], "four"))], _ => ada), Encoding.UTF8, "application/json");
            request.Headers.Add("traceparent", $"00-{traceId}-{traceId[..16]}-01");
            using var response = await player.Http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }
        await player.AssertLeaderboardAsync(hunt.Id, [("ada", 10, 1)]);

        var loginLink = await LoginLinkAsync();
        await using var dashboard = await DashboardSession.OpenAsync(loginLink);
        var page = dashboard.Page;
        var traceUrl = new Uri(new Uri(loginLink), $"/traces/detail/{traceId}").ToString();
        var request1 = page.GetByRole(AriaRole.Gridcell, new() { Name = "gateway: POST /v1/events", Exact = true });
        var publish = page.GetByRole(AriaRole.Gridcell, new() { Name = "gateway: dapr.proto.runtime.v1.Dapr/BulkPublishEvent", Exact = true });
        // The dashboard labels a messaging span (the `{topic} process` span of each delivered event) "MSG {system} {topic}".
        ILocator[] processed =
        [
            page.GetByRole(AriaRole.Gridcell, new() { Name = "hunt: MSG dapr answer.submitted", Exact = true }),
            page.GetByRole(AriaRole.Gridcell, new() { Name = "scoring: MSG dapr puzzle.solved", Exact = true }),
            page.GetByRole(AriaRole.Gridcell, new() { Name = "leaderboard: MSG dapr points.awarded", Exact = true }),
        ];

        // The apps export spans in batches (every few seconds): the page is opened again until the trace has arrived.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await page.GotoAsync(traceUrl);
            try
            {
                await Assertions.Expect(request1).ToBeVisibleAsync(new() { Timeout = 10_000 });
                await Assertions.Expect(publish).ToBeVisibleAsync(new() { Timeout = 10_000 });
                foreach (var span in processed) await Assertions.Expect(span).ToBeVisibleAsync(new() { Timeout = 10_000 });
                break;
            }
            catch (PlaywrightException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                // not exported yet
            }
        }
    }

    /// <summary>The dashboard's login link, from Aspire's testing builder (the login token is new for each run).</summary>
    private async Task<string> LoginLinkAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return (await fixture.Aspire.DashboardLoginUrlAsync(timeout.Token)).ToString();
    }

    /// <summary>Chromium logged in to the dashboard: the login link sets the auth cookie and lands on the resources page.</summary>
    private sealed class DashboardSession(IPlaywright playwright, IBrowser browser, IPage page) : IAsyncDisposable
    {
        public IPage Page => page;

        public static async Task<DashboardSession> OpenAsync(string loginLink)
        {
            Assert.True(File.Exists(Chromium), $"{Chromium} is missing: the test command installs Debian's chromium package");
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"],
            });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 900 } });
            await page.GotoAsync(loginLink);
            return new DashboardSession(playwright, browser, page);
        }

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
