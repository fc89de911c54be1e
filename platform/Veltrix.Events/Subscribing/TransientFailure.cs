using System.Net.Sockets;
using System.Text.Json;
using Grpc.Core;

namespace Veltrix.Events.Subscribing;

/// <summary>
/// Tells a failure of the infrastructure (the sidecar, a store or broker behind it, the network) from a failure caused by
/// the event itself. Only the second may cost an event its delivery (DROP → dead-letter topic): an event that failed
/// because the sidecar was restarting or a compare-and-swap lost a race is fine and must be retried, or an accepted
/// event would be parked — lost to the hunt — for a cause that was never in it.
/// </summary>
internal static class TransientFailure
{
    public static bool Is(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case RpcException rpc:
                    // The sidecar refused the request itself (a key it cannot store, an argument it rejects): the event's fault.
                    return rpc.StatusCode is not (StatusCode.InvalidArgument or StatusCode.OutOfRange or StatusCode.PermissionDenied or StatusCode.Unimplemented);
                case HttpRequestException http:
                    // Over HTTP, a 4xx answer is the sidecar refusing the request; anything else (no answer, 5xx) is transient.
                    return http.StatusCode is not { } status || (int)status >= 500 || (int)status is 408 or 429;
                case IOException or SocketException or TimeoutException or OperationCanceledException:
                    return true;
                case JsonException or FormatException or ArgumentException:
                    return false;
            }
        }
        return false;
    }
}
