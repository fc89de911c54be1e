using Grpc.Core;
using Veltrix.Sidecar.Operations;

namespace Veltrix.Sidecar.Grpc;

/// <summary>daprd's gRPC status codes for each refusal (reference §2.3); the messages are the shared operations' own.</summary>
internal static class GrpcErrors
{
    public static RpcException For(PublishError error) => new(new Status(error.Kind switch
    {
        PublishErrorKind.NoPubSubConfigured => StatusCode.FailedPrecondition,
        PublishErrorKind.PubSubNameEmpty or PublishErrorKind.PubSubNotFound or PublishErrorKind.TopicEmpty or PublishErrorKind.BadMetadata
            or PublishErrorKind.BadEntryId or PublishErrorKind.EventDoesNotFitContentType or PublishErrorKind.CannotCreateCloudEvent => StatusCode.InvalidArgument,
        PublishErrorKind.BoundReached => StatusCode.ResourceExhausted,
        _ => StatusCode.Internal,
    }, error.Message));

    public static RpcException For(StateError error) => new(new Status(error.Kind switch
    {
        StateErrorKind.NoStoreConfigured => StatusCode.FailedPrecondition,
        StateErrorKind.StoreNotFound or StateErrorKind.KeyEmpty or StateErrorKind.IllegalKey or StateErrorKind.InvalidRequest => StatusCode.InvalidArgument,
        StateErrorKind.UnsupportedOperation => StatusCode.Unimplemented,
        StateErrorKind.ETagMismatch => StatusCode.Aborted,
        _ => StatusCode.Internal,
    }, error.Message));
}
