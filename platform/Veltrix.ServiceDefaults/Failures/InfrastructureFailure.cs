using System.Net.Sockets;
using System.Text.Json;
using Grpc.Core;

namespace Veltrix.ServiceDefaults;

/// <summary>
/// Tells a failure of the infrastructure (the sidecar, a store, broker or app behind it, the network) from a failure
/// caused by the work itself (the request, the event, a bug). The one classifier for both places that must tell them
/// apart: a subscription route answers RETRY, never DROP, for the first (an event that failed because the sidecar was
/// restarting must not be parked on the dead-letter topic for a cause that was never in it), and the exception handler
/// answers 503 <see cref="ServiceErrorCodes.DependencyUnavailable"/> with <c>Retry-After</c>, never 500 — the client's
/// request was fine and the same request will succeed once the sidecar is back.
/// </summary>
/// <remarks>
/// Walks the exception and its inner exceptions and decides at the first one it knows: the official SDK wraps what the
/// sidecar answered (<c>DaprException</c> around an <see cref="RpcException"/> for state and publish,
/// <c>InvocationException</c> around an <see cref="HttpRequestException"/> for service invocation).
/// </remarks>
public static class InfrastructureFailure
{
    /// <summary>True when <paramref name="error"/> is a failure of the infrastructure: retry the same work later.</summary>
    public static bool Is(Exception error) => Classify(error) is not null;

    /// <summary>What kind of infrastructure failure <paramref name="error"/> is; null when the work itself (or a bug) caused it.</summary>
    public static InfrastructureFailureKind? Classify(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case RpcException rpc:
                    return rpc.StatusCode switch
                    {
                        // The sidecar refused the request itself (a key it cannot store, an argument it rejects): the work's fault.
                        StatusCode.InvalidArgument or StatusCode.OutOfRange or StatusCode.PermissionDenied or StatusCode.Unimplemented => null,
                        // No connection to the sidecar (Grpc.Net.Client's answer to a refused connection), or the sidecar's
                        // own answer when what is behind it cannot be reached.
                        StatusCode.Unavailable => InfrastructureFailureKind.Unreachable,
                        StatusCode.DeadlineExceeded or StatusCode.Cancelled => InfrastructureFailureKind.TimedOut,
                        // Internal (daprd's answer when a store or broker fails, and for a lost compare-and-swap inside a
                        // transaction), Aborted (a lost compare-and-swap), ResourceExhausted (a bound), FailedPrecondition
                        // (no store or pub/sub configured yet: an operator fixes the components, and an accepted event
                        // waits for that rather than being dropped), Unknown, …: not now.
                        _ => InfrastructureFailureKind.Failed,
                    };
                case HttpRequestException http:
                    // Over HTTP, a 4xx answer is the sidecar (or the invoked app) refusing the request; no answer at all
                    // (connection refused or reset) or a 5xx is the infrastructure.
                    return http.StatusCode switch
                    {
                        null => InfrastructureFailureKind.Unreachable,
                        System.Net.HttpStatusCode.RequestTimeout => InfrastructureFailureKind.TimedOut,
                        var status when (int)status >= 500 || (int)status == 429 => InfrastructureFailureKind.Failed,
                        _ => null,
                    };
                // Kestrel's "the request is bad" is an IOException too: the client's fault, never the infrastructure's.
                case BadHttpRequestException:
                    return null;
                case IOException or SocketException:
                    return InfrastructureFailureKind.Unreachable;
                // HttpClient's timeout is a TaskCanceledException (with a TimeoutException inside); a caller that gave up
                // never gets here (the subscription route and the exception handler both look at RequestAborted first).
                case TimeoutException or OperationCanceledException:
                    return InfrastructureFailureKind.TimedOut;
                case JsonException or FormatException or ArgumentException:
                    return null;
            }
        }
        return null;
    }
}
