using Google.Protobuf;
using Grpc.Core;

namespace Veltrix.Sidecar.Grpc;

/// <summary>
/// gRPC method descriptors built from the Dapr SDK's own message types (Dapr.Protos ships only the client stub, no
/// server base), so the wire format is exactly the one the SDK was compiled with.
/// </summary>
internal static class GrpcMethod
{
    public const string DaprService = "dapr.proto.runtime.v1.Dapr";

    public static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new() =>
        new(MethodType.Unary, DaprService, name, ProtobufMarshaller.For<TRequest>(), ProtobufMarshaller.For<TResponse>());
}
