using Veltrix.Sidecar.Hosting;

namespace Veltrix.Sidecar.Tests.Startup;

/// <summary>daprd's `--metrics-port`: opt-in here (off unless given), and a port of its own.</summary>
public sealed class MetricsPortTests
{
    [Fact]
    public void Metrics_are_off_unless_the_port_is_given()
    {
        var (given, _) = SidecarCommandLine.Parse(["--app-id", "a", "--metrics-port", "9091"]);
        var (absent, _) = SidecarCommandLine.Parse(["--app-id", "a"]);

        Assert.Equal(9091, given!.MetricsPort);
        Assert.Null(absent!.MetricsPort);
    }

    [Theory]
    [InlineData("3500", "--metrics-port 3500 is also a Dapr API port of app a")]
    [InlineData("50001", "--metrics-port 50001 is also a Dapr API port of app a")]
    [InlineData("0", "--metrics-port 0 is not a port")]
    public void A_metrics_port_that_cannot_be_its_own_listener_is_a_command_line_error(string port, string message)
    {
        var (options, errors) = SidecarCommandLine.Parse(["--app-id", "a", "--dapr-http-port", "3500", "--metrics-port", port]);

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains("VX2001", StringComparison.Ordinal) && e.Contains(message, StringComparison.Ordinal));
    }
}
