using Grpc.Net.Client;

namespace Veltrix.ServiceDefaults.Sidecar;

/// <summary>
/// The gRPC channel settings every channel from an app to its own sidecar uses (the SDK's <c>DaprClient</c> and the bulk
/// publisher). Grpc.Net.Client reconnects a failed connection with an exponential backoff that grows to 120 s, and calls
/// made while it waits fail at once with <c>Unavailable</c>. A sidecar that was down for half a minute (a restart, a
/// crash under load) would leave the app answering 503 for up to a minute more after the sidecar was back — the
/// sidecar's health endpoint answers, the app's calls do not. The sidecar is on the same host or in the same pod, so a
/// refused connect costs nothing: retrying every second at most brings the app back within a second of the sidecar.
/// </summary>
public static class SidecarGrpcChannel
{
    /// <summary>The longest wait between two connection attempts while the sidecar is unreachable.</summary>
    public static readonly TimeSpan MaxReconnectBackoff = TimeSpan.FromSeconds(1);

    /// <summary>A fresh options object (a channel keeps the one it was made with).</summary>
    public static GrpcChannelOptions Options() => new()
    {
        ThrowOperationCanceledOnCancellation = true, // as the SDK's own default: a cancelled call throws OperationCanceledException
        InitialReconnectBackoff = TimeSpan.FromMilliseconds(250),
        MaxReconnectBackoff = MaxReconnectBackoff,
    };
}
