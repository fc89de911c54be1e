using System.Net;
using System.Net.Sockets;

namespace Veltrix.Testing;

/// <summary>Asks the OS for an unused loopback port, so parallel test runs never collide.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
