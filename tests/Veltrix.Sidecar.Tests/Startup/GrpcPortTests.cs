using System.Globalization;
using Veltrix.Sidecar.Hosting;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Startup;

/// <summary>The gRPC port flags: daprd's `--dapr-grpc-port` (default 50001) and the optional `dapr-grpc-port=` inside `--app`.</summary>
public sealed class GrpcPortTests
{
    [Fact]
    public void Single_app_mode_takes_dapr_grpc_port_and_defaults_to_50001_as_daprd()
    {
        var (given, _) = SidecarCommandLine.Parse(["--app-id", "a", "--dapr-grpc-port", "50123"]);
        var (defaulted, _) = SidecarCommandLine.Parse(["--app-id", "a"]);

        Assert.Equal(50123, given!.Apps.Single().GrpcPort);
        Assert.Equal(50001, defaulted!.Apps.Single().GrpcPort);
    }

    [Fact]
    public void In_app_specs_dapr_grpc_port_is_optional()
    {
        var (options, errors) = SidecarCommandLine.Parse(["--app", "id=a,app-port=5000,dapr-http-port=3500,dapr-grpc-port=50001", "--app", "id=b,dapr-http-port=3501"]);

        Assert.Empty(errors);
        Assert.Equal(50001, options!.Apps[0].GrpcPort);
        Assert.Null(options.Apps[1].GrpcPort);
    }

    [Theory]
    [InlineData("id=a,dapr-http-port=3500,dapr-grpc-port=x", "is not of the form id=<appId>,app-port=<port>,dapr-http-port=<port>[,dapr-grpc-port=<port>]")]
    [InlineData("id=a,dapr-http-port=3500,dapr-grpc-port=3500", "port 3500 of app a is given both as a Dapr HTTP port and as a Dapr gRPC port")]
    public void A_bad_gRPC_port_is_a_command_line_error(string spec, string message)
    {
        var (options, errors) = SidecarCommandLine.Parse(["--app", spec]);

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains("VX2001", StringComparison.Ordinal) && e.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Two_apps_cannot_share_a_gRPC_port()
    {
        var (options, errors) = SidecarCommandLine.Parse(["--app", "id=a,dapr-http-port=3500,dapr-grpc-port=50001", "--app", "id=b,dapr-http-port=3501,dapr-grpc-port=50001"]);

        Assert.Null(options);
        Assert.Contains(errors, e => e.Contains("Dapr gRPC port 50001 is given to a and b", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_gRPC_port_in_use_is_one_clear_message_naming_it()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;
        await using var sidecar = SidecarProcess.Start(["--app-id", "x", "--dapr-http-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "--dapr-grpc-port", port.ToString(CultureInfo.InvariantCulture), "--resources-path", resources.Path]);

        Assert.Equal(1, await sidecar.WaitForExitAsync());
        Assert.Contains($"error VX2002: a Dapr gRPC port is already in use (port {port} of app x", sidecar.Output, StringComparison.Ordinal);
        Assert.Contains("--dapr-grpc-port", sidecar.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", sidecar.Output, StringComparison.Ordinal);
    }
}
