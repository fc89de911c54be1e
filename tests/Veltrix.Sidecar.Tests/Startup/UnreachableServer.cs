using System.Globalization;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Startup;

/// <summary>A component whose server is not there must stop start-up with one actionable line, never a stack trace.</summary>
internal static class UnreachableServer
{
    /// <param name="component">The component's YAML, pointing at <paramref name="port"/>, where nothing listens.</param>
    public static async Task AssertRefusedAsync(string component, int port, string code, string name, string howToStart)
    {
        using var resources = new ResourcesFolder(component);
        await using var sidecar = SidecarProcess.Start(["--app-id", "lonely", "--dapr-http-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "--resources-path", resources.Path]);
        Assert.Equal(1, await sidecar.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(code, sidecar.Output, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", sidecar.Output, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", sidecar.Output, StringComparison.Ordinal);
        Assert.Contains(howToStart, sidecar.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", sidecar.Output, StringComparison.Ordinal); // no stack trace
    }
}
