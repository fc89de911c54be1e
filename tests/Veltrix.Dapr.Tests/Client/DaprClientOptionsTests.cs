using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Veltrix.Dapr.Client;

namespace Veltrix.Dapr.Tests.Client;

public sealed class DaprClientOptionsTests
{
    [Fact]
    public async Task AddDaprClient_registers_a_typed_client_with_the_configured_endpoint()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDaprClient(o =>
        {
            o.HttpEndpoint = "http://127.0.0.1:3999/prefix";
            o.DaprApiToken = "";
        });
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        var client = host.Services.GetRequiredService<DaprClient>();

        Assert.Equal(new Uri("http://127.0.0.1:3999/prefix/"), client.HttpEndpoint);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start_up()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDaprClient(o =>
        {
            o.HttpEndpoint = "localhost:3500";
            o.HealthTimeout = TimeSpan.Zero;
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(error.Failures, f => f.Contains("'localhost:3500' is not an absolute http(s) URL", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("HealthTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Builder_refuses_an_unusable_endpoint()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new DaprClientBuilder().UseHttpEndpoint("ftp://sidecar").Build());

        Assert.Contains("ftp://sidecar", error.Message, StringComparison.Ordinal);
    }
}
