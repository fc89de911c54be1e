using System.Net;
using Veltrix.Testing;
using static Veltrix.AppHost.Tests.AppHostRun;

namespace Veltrix.AppHost.Tests;

/// <summary>A healthy run: the table, run.json with live processes, prefixed logs, and a clean stop on SIGTERM.</summary>
public sealed class StartAndStopTests
{
    [Fact]
    public async Task Healthy_start_prints_the_table_with_leaderboard_first_and_writes_run_json_with_live_pids()
    {
        // Ports in the file are shifted by --port-offset: the file's own ports are never used.
        const int offset = 1000;
        int alphaPort = FreePort.Next(), boardPort = FreePort.Next(), alphaDapr = FreePort.Next(), boardDapr = FreePort.Next();
        var yaml = RunFile("  env:\n    GREETING: hello\n  logLevel: debug\n",
            FakeApp("alpha", alphaPort - offset, alphaDapr - offset),
            FakeApp("leaderboard", boardPort - offset, boardDapr - offset));
        await using var run = Start(yaml, ["--port-offset", Invariant(offset)],
            environment: new Dictionary<string, string> { ["VELTRIX_OPERATOR_TOKEN"] = "operator-secret-for-test" });

        await run.WaitUntilHealthyAsync();

        var output = run.Output;
        var lines = output.Split('\n');
        var header = Array.FindIndex(lines, l => l.Contains("app", StringComparison.Ordinal) && l.Contains("Dapr HTTP port", StringComparison.Ordinal));
        Assert.True(header >= 0, output);
        Assert.Contains($"http://127.0.0.1:{boardPort}/", lines[header + 1]);
        Assert.StartsWith("  leaderboard", lines[header + 1]);
        Assert.Contains($"http://127.0.0.1:{alphaPort}/", lines[header + 2]);
        Assert.Contains(Invariant(alphaDapr), lines[header + 2]);
        Assert.Contains("healthy", lines[header + 2]);
        Assert.Contains("operator token: operator-secret-for-test", output);
        Assert.Contains("dapr.yaml:6:3: warning VX4001: `logLevel` is a Dapr run-file key AppHost does not use", output); // valid for dapr run -f, named here
        Assert.Contains($"logs:           {run.LogDir}", output);

        var state = run.Read();
        Assert.Equal(["leaderboard", "alpha"], state.Apps.Select(a => a.AppId));
        Assert.Equal(alphaPort, state["alpha"].AppPort);
        Assert.Equal(alphaDapr, state["alpha"].DaprHttpPort);
        Assert.Equal(new Uri($"http://127.0.0.1:{boardPort}/"), state["leaderboard"].Url);
        Assert.All(state.Pids, pid => Assert.True(IsAlive(pid), $"pid {pid} from run.json is not running"));
        Assert.NotNull(state.SidecarPid);

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{alphaPort}/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync($"http://127.0.0.1:{alphaDapr}/v1.0/healthz")).StatusCode);

        // Environment as dapr run gives it, plus the template's common.env; tokens set but never printed. The file names
        // no gRPC port, so AppHost took a free one: the app is told it, run.json and the table show it.
        var alphaGrpc = state["alpha"].DaprGrpcPort;
        Assert.NotEqual(0, alphaGrpc);
        Assert.Contains(Invariant(alphaGrpc), lines[header + 2]);
        Assert.Contains($"APP_ID=alpha APP_PORT={alphaPort} DAPR_HTTP_PORT={alphaDapr} DAPR_GRPC_PORT={alphaGrpc} ASPNETCORE_ENVIRONMENT=Development GREETING=hello tokens=set",
            run.Log("alpha"));
        Assert.Matches(@"alpha\s+\| fake app APP_ID=alpha", output);
        Assert.True(File.Exists(Path.Combine(run.LogDir, "sidecar.log")));
        // The log folder is the user's alone: 0700, and every file AppHost wrote there 0600.
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(run.LogDir));
            foreach (var file in Directory.GetFiles(run.LogDir))
                Assert.True(File.GetUnixFileMode(file) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), $"{file}: {File.GetUnixFileMode(file)}");
        }

        // The dashboard is up at the printed login link: without the token it sends the browser to log in, with it
        // the browser gets its session cookie.
        var login = System.Text.RegularExpressions.Regex.Match(output, @"dashboard:\s+(?<url>http://127\.0\.0\.1:\d+)/login\?t=(?<token>\S+)");
        Assert.True(login.Success, output);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var anonymous = await browser.GetAsync(login.Groups["url"].Value + "/");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/login", anonymous.Headers.Location!.ToString());
        var signedIn = await browser.GetAsync($"{login.Groups["url"].Value}/login?t={login.Groups["token"].Value}");
        Assert.True(signedIn.Headers.TryGetValues("Set-Cookie", out var cookies), $"no session cookie: {signedIn.StatusCode}");
        Assert.NotEmpty(cookies);

        // The sidecar exports its telemetry to the dashboard like the apps: Aspire gave it the OTLP endpoint.
        var sidecarEnvironment = File.ReadAllText($"/proc/{state.SidecarPid}/environ").Split('\0');
        Assert.Contains(sidecarEnvironment, v => v.StartsWith("OTEL_EXPORTER_OTLP_ENDPOINT=http", StringComparison.Ordinal));
        Assert.Contains("OTEL_SERVICE_NAME=sidecar", sidecarEnvironment);
    }

    [Fact]
    public async Task SIGTERM_stops_every_app_and_the_sidecar_and_exits_0()
    {
        var yaml = RunFile("", FakeApp("alpha", FreePort.Next(), FreePort.Next()), FakeApp("beta", FreePort.Next(), FreePort.Next()));
        await using var run = Start(yaml);
        await run.WaitUntilHealthyAsync();
        var pids = run.Read().Pids.ToList();
        Assert.Equal(3, pids.Count);

        run.Terminate();

        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await Eventually.UntilAsync(() => pids.All(pid => !IsAlive(pid)), "every process of the run to stop", TimeSpan.FromSeconds(30));
        // No graceful-shutdown assertion: DCP ends the processes as AppHost goes away, and the apps' last lines
        // ("stopping gracefully") do not reliably reach the log (docs/apphost.md, Stopping).
        Assert.DoesNotContain("restart #", run.Output);
    }
}
