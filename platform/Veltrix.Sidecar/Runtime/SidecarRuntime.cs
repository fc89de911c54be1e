namespace Veltrix.Sidecar.Runtime;

/// <summary>The apps this process serves, found by the local port a request arrived on.</summary>
public sealed class SidecarRuntime(IReadOnlyList<AppRuntime> apps)
{
    private readonly Dictionary<int, AppRuntime> _byPort = apps.ToDictionary(a => a.Options.HttpPort);

    public IReadOnlyList<AppRuntime> Apps => apps;

    public AppRuntime For(HttpContext context) => _byPort[context.Connection.LocalPort];
}
