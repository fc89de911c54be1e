using System.Net;
using System.Text.Json;
using Veltrix.Testing;

namespace Veltrix.ServiceDefaults.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task Healthz_answers_200_Healthy_without_a_sidecar()
    {
        await using var service = await TestService.StartAsync();

        using var response = await service.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_is_503_with_the_reason_when_no_sidecar_listens()
    {
        var nobody = FreePort.Next();
        await using var service = await TestService.StartAsync(sidecarPort: nobody);

        using var response = await service.Http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("status").GetString());
        var check = body.RootElement.GetProperty("checks").GetProperty("dapr-sidecar");
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Contains($"127.0.0.1:{nobody}", check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Readyz_is_200_when_the_dev_sidecar_answers()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        await using var sidecar = await SidecarProcess.StartForAppAsync("ready-app", appPort: null, [resources.Path], waitForApp: false);
        await using var service = await TestService.StartAsync(sidecarPort: sidecar.HttpPort);

        using var response = await service.Http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_turns_503_when_the_sidecar_goes_away()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        var sidecar = await SidecarProcess.StartForAppAsync("ready-app-2", appPort: null, [resources.Path], waitForApp: false);
        await using var service = await TestService.StartAsync(sidecarPort: sidecar.HttpPort);
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("/readyz")).StatusCode);

        await sidecar.DisposeAsync();

        await Eventually.UntilAsync(async () => (await service.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable,
            "/readyz answering 503 after the sidecar stopped");
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("/healthz")).StatusCode);
    }
}
