using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Veltrix.Testing;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>
/// The classifier against exceptions real calls throw — a closed port, a server that never answers, real HTTP statuses,
/// the dev sidecar refusing a request — never against exceptions built by hand.
/// </summary>
public sealed class InfrastructureFailureTests
{
    [Fact]
    public async Task The_sdk_against_a_closed_grpc_port_is_Unreachable()
    {
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{FreePort.Next()}").Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => dapr.GetStateAsync<string>("statestore", "key"));

        Assert.Equal(InfrastructureFailureKind.Unreachable, InfrastructureFailure.Classify(error));
    }

    [Fact]
    public async Task An_http_call_to_a_closed_port_is_Unreachable()
    {
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"http://127.0.0.1:{FreePort.Next()}/")));

        Assert.Equal(InfrastructureFailureKind.Unreachable, InfrastructureFailure.Classify(error));
    }

    [Fact]
    public async Task An_http_timeout_is_TimedOut()
    {
        // Accepts the connection and never answers.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };

        var error = await Assert.ThrowsAsync<TaskCanceledException>(() => http.GetAsync(new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/")));

        Assert.Equal(InfrastructureFailureKind.TimedOut, InfrastructureFailure.Classify(error));
    }

    [Theory]
    [InlineData(StatusCodes.Status503ServiceUnavailable, InfrastructureFailureKind.Failed)]
    [InlineData(StatusCodes.Status500InternalServerError, InfrastructureFailureKind.Failed)]
    [InlineData(StatusCodes.Status429TooManyRequests, InfrastructureFailureKind.Failed)]
    [InlineData(StatusCodes.Status404NotFound, null)]
    [InlineData(StatusCodes.Status400BadRequest, null)]
    public async Task An_http_answer_is_the_infrastructure_only_when_it_is_5xx_or_429(int status, InfrastructureFailureKind? expected)
    {
        await using var service = await TestService.StartAsync(app => app.MapGet("/answer", () => Results.StatusCode(status)));

        using var response = await service.Http.GetAsync("/answer");
        var error = Assert.Throws<HttpRequestException>(() => response.EnsureSuccessStatusCode());

        Assert.Equal(expected, InfrastructureFailure.Classify(error));
    }

    [Fact]
    public async Task The_sidecar_refusing_the_request_itself_is_not_the_infrastructure()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub(), Yaml.InMemoryState());
        await using var sidecar = await SidecarProcess.StartForAppAsync("classified-app", appPort: null, [resources.Path], waitForApp: false);
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcAddress.ToString()).Build();

        // No state store of that name among those configured (InvalidArgument, as daprd answers): a mistake in the service,
        // which retrying never fixes (500, or DROP for an event).
        var error = await Assert.ThrowsAnyAsync<Exception>(() => dapr.GetStateAsync<string>("no-such-store", "key"));

        Assert.True(InfrastructureFailure.Classify(error) is null, error.ToString());
    }

    [Fact]
    public void Unreadable_json_is_not_the_infrastructure()
    {
        var error = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse("{"));

        Assert.Null(InfrastructureFailure.Classify(error));
    }
}
