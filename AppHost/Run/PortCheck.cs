using System.Net;
using System.Net.Sockets;

namespace Veltrix.AppHost.Run;

/// <summary>Every port of the run must be free before anything starts: a half-started system is worse than none.</summary>
public static class PortCheck
{
    public static void EnsureFree(RunPlan plan)
    {
        var problems = new List<string>();
        foreach (var app in plan.Apps)
        {
            if (!IsFree(app.AppPort)) problems.Add($"port {app.AppPort} (appPort of '{app.AppId}') is already in use");
            if (!IsFree(app.DaprHttpPort)) problems.Add($"port {app.DaprHttpPort} (daprHTTPPort of '{app.AppId}') is already in use");
            if (!IsFree(app.DaprGrpcPort)) problems.Add($"port {app.DaprGrpcPort} (daprGRPCPort of '{app.AppId}') is already in use");
        }
        if (problems.Count == 0) return;
        var first = plan.Apps.SelectMany(a => new[] { a.AppPort, a.DaprHttpPort, a.DaprGrpcPort }).First(p => !IsFree(p));
        throw new AppHostError(AppHostErrorCodes.PortInUse, string.Join("; ", problems),
            $"find the process with `ss -ltnp 'sport = :{first}'` and stop it (often an earlier run still going), " +
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

    /// <summary>A port nobody uses now (for ports the run file leaves open, such as a sidecar's gRPC port).</summary>
    public static int AnyFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
