using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Veltrix.Testing;

/// <summary>
/// Asks the OS for an unused loopback port, so parallel test runs never collide. The OS may hand the same port out
/// again once its listener is closed, and a test that asks for several ports before binding any of them would then
/// get one twice: a port is never returned twice by this process.
/// </summary>
public static class FreePort
{
    private static readonly ConcurrentDictionary<int, byte> Given = new();

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (Given.TryAdd(port, 0)) return port;
        }
    }
}
