using System.Net;
using System.Net.Sockets;

namespace Veltrix.AppHost.Run;

/// <summary>Every port of the run must be free before anything starts: a half-started system is worse than none.</summary>
public static class PortCheck
{
    public static void EnsureFree(RunPlan plan, DashboardPorts? dashboard)
    {
        var ports = plan.Apps.SelectMany(a => new[]
        {
            (Port: a.AppPort, What: $"appPort of '{a.AppId}'"),
            (Port: a.DaprHttpPort, What: $"daprHTTPPort of '{a.AppId}'"),
            (Port: a.DaprGrpcPort, What: $"daprGRPCPort of '{a.AppId}'"),
        }).ToList();
        if (dashboard is not null) ports.AddRange(dashboard.Ports);
        var taken = ports.Where(p => !IsFree(p.Port)).ToList();
        if (taken.Count == 0) return;
        throw new AppHostError(AppHostErrorCodes.PortInUse, string.Join("; ", taken.Select(p => $"port {p.Port} ({p.What}) is already in use")),
            $"find the process with `ss -ltnp 'sport = :{taken[0].Port}'` and stop it (often an earlier run still going), " +
            "or run beside it with --port-offset N");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// A port nobody uses now and that is not already in <paramref name="planned"/>, added to it (for ports the run file
    /// leaves open, such as a sidecar's gRPC port). The kernel may hand out a port it just handed out, once the listener
    /// that found it is closed: two sidecar APIs of one run were given the same port that way (VX2001 at start-up).
    /// </summary>
    public static int AnyFreePort(ISet<int> planned) => AnyFreePort(planned, AnyFreePort);

    /// <summary><see cref="AnyFreePort(ISet{int})"/> with the source of free ports given (tests).</summary>
    public static int AnyFreePort(ISet<int> planned, Func<int> freePort)
    {
        for (var attempt = 0; attempt < 100; attempt++)
            if (freePort() is var port && planned.Add(port)) return port;
        throw new AppHostError(AppHostErrorCodes.PortInUse, "no free port was found that the run does not use already (100 tries)",
            "give the sidecars' ports in dapr.yaml (daprHTTPPort, daprGRPCPort) or free some ports");
    }

    /// <summary>
    /// A free port above the kernel's ephemeral range when it has room there (Linux: 61000–65535 by default). A port the
    /// kernel hands out for port 0 comes from the ephemeral range, and between this choice and the sidecar's bind any
    /// outgoing connection on the machine may take it as its local port (VX2002 at start-up, seen in CI). Above the
    /// range only a process that binds that very port can; elsewhere the kernel's choice is the fallback.
    /// </summary>
    private static int AnyFreePort()
    {
        if (AboveEphemeralRange() is var (low, high) && high - low >= 1000)
            for (var attempt = 0; attempt < 50; attempt++)
                if (Random.Shared.Next(low, high + 1) is var port && IsFree(port)) return port;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The ports above Linux's ephemeral range (`net.ipv4.ip_local_port_range`), or null where it cannot be read.</summary>
    public static (int Low, int High)? AboveEphemeralRange()
    {
        const string file = "/proc/sys/net/ipv4/ip_local_port_range";
        try
        {
            return File.Exists(file) && File.ReadAllText(file).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) is [_, var top]
                && int.TryParse(top, System.Globalization.CultureInfo.InvariantCulture, out var last) && last < 65535
                ? (last + 1, 65535)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
