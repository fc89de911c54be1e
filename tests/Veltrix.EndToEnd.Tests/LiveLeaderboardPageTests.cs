using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>The leaderboard page in Debian's Chromium, driven by Playwright (never a downloaded browser), on each resources folder.</summary>
public abstract partial class LiveLeaderboardPageTests(SystemFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task The_table_updates_when_answers_arrive_without_a_reload()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: the test command installs Debian's chromium package");
        using var player = new HuntPlayer(fixture.System);
        var hunt = await player.CreateHuntAsync("live", new PuzzleSpec("2 + 2?", "four", 10), new PuzzleSpec("Capital of France?", "paris", 25));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
        });
        var page = await browser.NewPageAsync();
        // A deadline, not a wait: each expectation returns as soon as the page shows it. Playwright's 5 s default is
        // shorter than an answer's trip through RabbitMQ, three services and PostgreSQL on a loaded two-core machine.
        Assertions.SetDefaultExpectTimeout(30_000);
        var navigations = 0;
        page.FrameNavigated += (_, frame) => { if (frame == page.MainFrame) navigations++; };
        await page.GotoAsync(new Uri(fixture.System.Url("leaderboard"), $"/?hunt={hunt.Id}").ToString());
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync(LiveStatus());
        await Assertions.Expect(page.Locator("#board")).ToContainTextAsync("No points yet");
        var loads = navigations;

        await player.SubmitAsync(hunt.Id, [new("ada", hunt.PuzzleIds[0], "Four")]);
        await Assertions.Expect(page.Locator("#board tr[data-player='ada'] td.points")).ToHaveTextAsync("10");

        await player.SubmitAsync(hunt.Id, [new("grace", hunt.PuzzleIds[1], "paris"), new("grace", hunt.PuzzleIds[0], "four"), new("ada", hunt.PuzzleIds[1], "rome")], firstId: 1);
        await Assertions.Expect(page.Locator("#board tr[data-player='grace'] td.points")).ToHaveTextAsync("35");
        await Assertions.Expect(page.Locator("#board tr").First).ToHaveAttributeAsync("data-player", "grace"); // re-ranked live
        await Assertions.Expect(page.Locator("#board tr[data-player='ada'] td.rank")).ToHaveTextAsync("2");

        // A tie, ranked by the page from the changed totals it is sent: equal points share rank 1, then player id order.
        await player.SubmitAsync(hunt.Id, [new("ada", hunt.PuzzleIds[1], "paris")], firstId: 4);
        await Assertions.Expect(page.Locator("#board tr[data-player='ada'] td.points")).ToHaveTextAsync("35");
        await Assertions.Expect(page.Locator("#board tr").First).ToHaveAttributeAsync("data-player", "ada");
        await Assertions.Expect(page.Locator("#board tr[data-player='ada'] td.rank")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#board tr[data-player='grace'] td.rank")).ToHaveTextAsync("1");

        Assert.Equal(loads, navigations); // no reload happened

        // A page opened now is sent the whole board first and shows the same.
        var late = await browser.NewPageAsync();
        await late.GotoAsync(new Uri(fixture.System.Url("leaderboard"), $"/?hunt={hunt.Id}").ToString());
        await Assertions.Expect(late.Locator("#board tr")).ToHaveCountAsync(2);
        await Assertions.Expect(late.Locator("#board tr").First).ToHaveAttributeAsync("data-player", "ada");
        Assert.Equal(["1", "1"], await late.Locator("#board td.rank").AllTextContentsAsync());
        Assert.Equal(["35", "35"], await late.Locator("#board td.points").AllTextContentsAsync());
        var screenshot = Path.Combine(Path.GetTempPath(), $"veltrix-leaderboard-{hunt.Id}.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 1024);
    }

    [GeneratedRegex("^Live")]
    private static partial Regex LiveStatus();
}

[Collection(nameof(EmbeddedSystem))]
public sealed class LiveLeaderboardPageOnEmbeddedDefaultTests(EmbeddedSystemFixture fixture) : LiveLeaderboardPageTests(fixture);

[Collection(nameof(RabbitMqSystem))]
public sealed class LiveLeaderboardPageOnRabbitMqAndPostgresTests(RabbitMqSystemFixture fixture) : LiveLeaderboardPageTests(fixture);
