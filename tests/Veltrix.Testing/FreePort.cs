using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Veltrix.Testing;

/// <summary>
/// An unused loopback port for a test's process to listen on. Chosen at random below Linux's ephemeral range
/// (32768–60999): a port the OS hands out for port 0 or for an outgoing connection could be taken by any connection
/// between the moment it is chosen and the moment the test's process binds it (a CI run failed that way: the sidecar
/// found its HTTP port in use). Checked free by binding it once, and never returned twice by this process.
/// </summary>
public static class FreePort
{
    private const int First = 10_000;
    private const int Last = 32_767;
    private static readonly ConcurrentDictionary<int, byte> Given = new();

    public static int Next()
    {
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var port = Random.Shared.Next(First, Last + 1);
            if (!Given.TryAdd(port, 0)) continue;
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // in use: try another
            }
        }
        throw new InvalidOperationException($"no free loopback port between {First} and {Last}");
    }
}
