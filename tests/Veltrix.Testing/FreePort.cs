using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Veltrix.Testing;

/// <summary>
/// An unused loopback port for a test's process to listen on, chosen at random in 6000–13000: below Linux's ephemeral
/// range (32768–60999), where an outgoing connection could take the port between the moment it is chosen and the
/// moment the test's process binds it (a CI run failed that way: the sidecar found its HTTP port in use), and below
/// the ports of whole runs started with `--port-offset` (13501 and up: dapr.yaml's 3501–5106 plus 10000–27000, in
/// RunningSystem and the AppHost tests), so the two never collide. Checked free by binding it once, never returned
/// twice by this process.
/// </summary>
public static class FreePort
{
    private const int First = 6_000;
    private const int Last = 13_000;
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
