using System.Globalization;
using System.Net;
using System.Text.Json;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Veltrix.ServiceDefaults.Sidecar;
using Veltrix.Testing;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>
/// A service whose sidecar is gone answers 503 VX3013 with Retry-After — never 500 — and answers again by itself once
/// the sidecar is back: the official DaprClient against a port nobody listens on, then against the real dev sidecar
/// started, killed and started again on the same ports.
/// </summary>
public sealed class SidecarOutageTests
{
    private const string AppId = "outage-app";

    /// <summary>One endpoint per way a service uses its sidecar: state and publish over gRPC, invocation over HTTP.</summary>
    private static void Map(WebApplication app)
    {
        app.MapPost("/state", async (DaprClient dapr, CancellationToken cancellationToken) =>
        {
            await dapr.SaveStateAsync("statestore", "greeting", "hello", cancellationToken: cancellationToken);
            return Results.Ok(await dapr.GetStateAsync<string>("statestore", "greeting", cancellationToken: cancellationToken));
        });
        app.MapPost("/publish", async (DaprClient dapr, CancellationToken cancellationToken) =>
        {
            await dapr.PublishEventAsync("pubsub", "greetings", new Dictionary<string, string> { ["text"] = "hello" }, cancellationToken);
            return Results.NoContent();
        });
        // As prizes calls scoring: the SDK's invokable HttpClient, addressed to the sidecar's HTTP port.
        app.MapPost("/invoke", async (DaprClient dapr, CancellationToken cancellationToken) =>
        {
            using var another = dapr.CreateInvokableHttpClient("another-app");
            return Results.Ok(await another.GetStringAsync(new Uri("/ping", UriKind.Relative), cancellationToken));
        });
    }

    [Theory]
    [InlineData("/state")]
    [InlineData("/publish")]
    [InlineData("/invoke")]
    public async Task A_call_to_a_sidecar_that_is_not_there_is_503_VX3013_with_Retry_After(string path)
    {
        var sidecarHttp = FreePort.Next();
        var sidecarGrpc = FreePort.Next();
        await using var service = await TestService.StartAsync(Map, sidecarPort: sidecarHttp, sidecarGrpcPort: sidecarGrpc);

        using var response = await service.Http.PostAsync(path, content: null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        var problem = await TestService.ReadProblemAsync(response);
        Assert.Equal(ServiceErrorCodes.DependencyUnavailable, problem.GetProperty("code").GetString());
        Assert.Equal("https://veltrix.dev/errors/VX3013", problem.GetProperty("type").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal(path, problem.GetProperty("instance").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("cannot reach its Dapr sidecar", detail);
        // What the exception says (addresses, ports, the SDK's wording) stays in the service.
        Assert.DoesNotContain(sidecarHttp.ToString(CultureInfo.InvariantCulture), detail);
        Assert.DoesNotContain(sidecarGrpc.ToString(CultureInfo.InvariantCulture), detail);
        Assert.DoesNotContain("127.0.0.1", detail);
        Assert.DoesNotContain("Exception", detail);

        // One warning line without a stack trace; nothing at Error (that is for bugs).
        var logged = service.Logs.Entries.Where(e => e.Category.EndsWith(".ServiceExceptionHandler", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(logged);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("503 VX3013", warning.Message);
        Assert.Contains(path == "/invoke" ? "HttpRequestException(ConnectionError)" : "RpcException(Unavailable)", warning.Message);
        Assert.DoesNotContain(" at ", warning.Message);
        Assert.DoesNotContain(service.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_bug_stays_500_VX3000_next_to_the_outage_answer()
    {
        await using var service = await TestService.StartAsync(app =>
            app.MapGet("/bug", string () => throw new InvalidOperationException("a null where none belongs")));

        using var response = await service.Http.GetAsync("/bug");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        Assert.Equal(ServiceErrorCodes.Internal, (await TestService.ReadProblemAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task State_and_publish_recover_by_themselves_when_the_sidecar_is_started_again_on_the_same_ports()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub(), Yaml.InMemoryState());
        var httpPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        await using var service = await TestService.StartAsync(Map, sidecarPort: httpPort, sidecarGrpcPort: grpcPort);
        var seen = new List<HttpStatusCode>();

        await AssertOutageAsync(service, seen, "before the sidecar ever started");

        var sidecar = await StartSidecarAsync(resources, httpPort, grpcPort);
        try
        {
            await AssertRecoveredAsync(service, seen, sidecar, "after the sidecar started");
        }
        finally
        {
            await sidecar.DisposeAsync(); // kills it
        }

        await AssertOutageAsync(service, seen, "after the sidecar was killed");

        await using (var again = await StartSidecarAsync(resources, httpPort, grpcPort))
            await AssertRecoveredAsync(service, seen, again, "after the sidecar started again");

        // In every transition (connection refused, the channel's reconnect, a connection reset by the kill) the service
        // answered either the outage or the result: never a 500.
        Assert.All(seen, status => Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NoContent or HttpStatusCode.ServiceUnavailable,
            $"answers seen: {string.Join(", ", seen)}"));
    }

    /// <summary>Long enough for Grpc.Net.Client's default backoff (1 s × 1.6ⁿ, up to 120 s) to space its attempts 10–20 s apart.</summary>
    private static readonly TimeSpan LongOutage = TimeSpan.FromSeconds(30);

    /// <summary>How soon after the sidecar is back the app must answer again: the 1 s reconnect cap, jitter and a loaded machine.</summary>
    private static readonly TimeSpan BackWithin = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task After_a_long_outage_the_service_answers_within_seconds_of_the_sidecar_coming_back()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub(), Yaml.InMemoryState());
        var httpPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        await using var service = await TestService.StartAsync(Map, sidecarPort: httpPort, sidecarGrpcPort: grpcPort);
        var seen = new List<HttpStatusCode>();
        await using (var first = await StartSidecarAsync(resources, httpPort, grpcPort))
            await AssertRecoveredAsync(service, seen, first, "after the sidecar started");

        // The app keeps calling while its sidecar is gone, as the configuration refresher and the clients of a real
        // service do: every call fails, and the channel's reconnect backoff grows.
        var outage = System.Diagnostics.Stopwatch.StartNew();
        while (outage.Elapsed < LongOutage)
        {
            using var response = await service.Http.PostAsync("/state", content: null);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            await Task.Delay(TimeSpan.FromMilliseconds(200)); // pacing the calls of the outage, not waiting for a condition
        }

        await using var again = await StartSidecarAsync(resources, httpPort, grpcPort);
        await AssertRecoveredAsync(service, seen, again, $"after the sidecar was back (is the channel's reconnect backoff capped at " +
            $"{SidecarGrpcChannel.MaxReconnectBackoff.TotalSeconds} s?)", within: BackWithin);
    }

    private static async Task<SidecarProcess> StartSidecarAsync(ResourcesFolder resources, int httpPort, int grpcPort)
    {
        var sidecar = SidecarProcess.Start(
        [
            "--app-id", AppId,
            "--dapr-http-port", httpPort.ToString(CultureInfo.InvariantCulture),
            "--dapr-grpc-port", grpcPort.ToString(CultureInfo.InvariantCulture),
            "--resources-path", resources.Path,
        ], httpPort: httpPort);
        try
        {
            await sidecar.WaitUntilHealthyAsync("/v1.0/healthz/outbound");
            return sidecar;
        }
        catch
        {
            await sidecar.DisposeAsync();
            throw;
        }
    }

    /// <summary>Both endpoints answer 503 VX3013 with Retry-After (polled: the channel may still be closing its connection).</summary>
    private static async Task AssertOutageAsync(TestService service, List<HttpStatusCode> seen, string when)
    {
        foreach (var path in new[] { "/state", "/publish" })
        {
            JsonElement? problem = null;
            TimeSpan? retryAfter = null;
            var outage = await Eventually.TryAsync(async () =>
            {
                using var response = await service.Http.PostAsync(path, content: null);
                seen.Add(response.StatusCode);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable) return false;
                problem = await TestService.ReadProblemAsync(response);
                retryAfter = response.Headers.RetryAfter?.Delta;
                return true;
            });
            Assert.True(outage, $"{path} never answered 503 {when}; answers seen: {string.Join(", ", seen)}");
            Assert.Equal(ServiceErrorCodes.DependencyUnavailable, problem!.Value.GetProperty("code").GetString());
            Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        }
    }

    /// <summary>
    /// The same requests succeed again without anything done to the service (polled: gRPC reconnects with a backoff):
    /// each within 60 s, or all of them within <paramref name="within"/> from the call when it is given.
    /// </summary>
    private static async Task AssertRecoveredAsync(TestService service, List<HttpStatusCode> seen, SidecarProcess sidecar, string when, TimeSpan? within = null)
    {
        var since = System.Diagnostics.Stopwatch.StartNew();
        foreach (var path in new[] { "/state", "/publish" })
        {
            var recovered = await Eventually.TryAsync(async () =>
            {
                using var response = await service.Http.PostAsync(path, content: null);
                seen.Add(response.StatusCode);
                return response.IsSuccessStatusCode;
            }, within is { } budget ? budget - since.Elapsed : TimeSpan.FromSeconds(60));
            Assert.True(recovered, $"{path} still failed {since.Elapsed.TotalSeconds:F1} s {when}; answers seen: {string.Join(", ", seen)}\nsidecar output:\n{sidecar.Output}");
        }
        using var state = await service.Http.PostAsync("/state", content: null);
        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
        Assert.Equal("\"hello\"", await state.Content.ReadAsStringAsync());
    }
}
