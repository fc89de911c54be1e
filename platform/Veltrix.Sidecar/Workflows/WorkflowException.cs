using Grpc.Core;

namespace Veltrix.Sidecar.Workflows;

/// <summary>A refused workflow call: the gRPC status daprd would answer, and its message (the HTTP API maps it too).</summary>
internal sealed class WorkflowException(StatusCode status, string message) : Exception(message)
{
    public StatusCode Status => status;

    public RpcException ToRpc() => new(new Status(status, Message));
}
