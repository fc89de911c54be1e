using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Dapr.Client;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>Workers without HTTP (HostApplicationBuilder) get the same defaults, minus the endpoints.</summary>
public sealed class HostBuilderTests
{
    [Fact]
    public async Task AddServiceDefaults_works_on_a_HostApplicationBuilder_and_twice_is_once()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Configuration["DAPR_HTTP_ENDPOINT"] = "http://127.0.0.1:1";
        builder.AddServiceDefaults().AddServiceDefaults();
        using var host = builder.Build();

        await host.StartAsync();
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        await host.StopAsync();

        Assert.NotNull(host.Services.GetRequiredService<TracerProvider>());
        Assert.NotNull(host.Services.GetRequiredService<MeterProvider>());
        Assert.NotNull(host.Services.GetRequiredService<DaprClient>());
        Assert.Equal(["dapr-sidecar", "self"], report.Entries.Keys.Order());
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["dapr-sidecar"].Status);
    }
}
