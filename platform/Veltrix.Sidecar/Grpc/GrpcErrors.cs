using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Veltrix.Sidecar.Operations;
using Status = Grpc.Core.Status;

namespace Veltrix.Sidecar.Grpc;

/// <summary>
/// daprd's gRPC status codes for each refusal (reference §2.3); the messages are the shared operations' own. Where
/// daprd attaches rich details (the pub/sub errors and the store-not-found ones), so does this: a google.rpc.Status in
/// the `grpc-status-details-bin` trailer with an ErrorInfo (reason, domain `dapr.io`) and, for a named component, a
/// ResourceInfo, under the standard `type.googleapis.com/google.rpc.*` type URLs daprd uses. (The 1.19 SDK's
/// `TryGetExtendedErrorInfo` looks for a `Google.rpc.*` spelling and reports these as unknown details — with daprd too.)
/// </summary>
internal static class GrpcErrors
{
    public const string DetailsTrailer = "grpc-status-details-bin";

    public static RpcException For(PublishError error)
    {
        var code = error.Kind switch
        {
            PublishErrorKind.NoPubSubConfigured => StatusCode.FailedPrecondition,
            PublishErrorKind.PubSubNameEmpty or PublishErrorKind.PubSubNotFound or PublishErrorKind.TopicEmpty or PublishErrorKind.BadMetadata
                or PublishErrorKind.BadEntryId or PublishErrorKind.EventDoesNotFitContentType or PublishErrorKind.CannotCreateCloudEvent => StatusCode.InvalidArgument,
            PublishErrorKind.BoundReached => StatusCode.ResourceExhausted,
            _ => StatusCode.Internal,
        };
        var reason = error.Kind switch
        {
            PublishErrorKind.PubSubNameEmpty => "DAPR_PUBSUB_NAME_EMPTY",
            PublishErrorKind.NoPubSubConfigured => "DAPR_PUBSUB_NOT_CONFIGURED",
            PublishErrorKind.PubSubNotFound => "DAPR_PUBSUB_NOT_FOUND",
            PublishErrorKind.TopicEmpty => "DAPR_PUBSUB_TOPIC_NAME_EMPTY",
            PublishErrorKind.BadMetadata => "DAPR_PUBSUB_METADATA_DESERIALIZATION",
            PublishErrorKind.BadEntryId or PublishErrorKind.EventDoesNotFitContentType => "DAPR_PUBSUB_MARSHAL_EVENTS",
            PublishErrorKind.CannotCreateCloudEvent => "DAPR_PUBSUB_CLOUD_EVENT_CREATION",
            _ => "DAPR_PUBSUB_PUBLISH_MESSAGE",
        };
        var named = error.Kind is not (PublishErrorKind.PubSubNameEmpty or PublishErrorKind.NoPubSubConfigured);
        return Rich(code, error.Message, reason, named ? ("pubsub", error.PubSub) : null);
    }

    public static RpcException For(StateError error)
    {
        var code = error.Kind switch
        {
            StateErrorKind.NoStoreConfigured => StatusCode.FailedPrecondition,
            StateErrorKind.StoreNotFound or StateErrorKind.KeyEmpty or StateErrorKind.IllegalKey or StateErrorKind.InvalidRequest => StatusCode.InvalidArgument,
            StateErrorKind.UnsupportedOperation => StatusCode.Unimplemented,
            StateErrorKind.ETagMismatch => StatusCode.Aborted,
            _ => StatusCode.Internal,
        };
        // daprd answers the other state errors without details.
        return error.Kind switch
        {
            StateErrorKind.NoStoreConfigured => Rich(code, error.Message, "DAPR_STATE_NOT_CONFIGURED", null),
            StateErrorKind.StoreNotFound => Rich(code, error.Message, "DAPR_STATE_NOT_FOUND", ("state", error.Store)),
            StateErrorKind.IllegalKey => Rich(code, error.Message, "DAPR_STATE_ILLEGAL_KEY", null),
            _ => new RpcException(new Status(code, error.Message)),
        };
    }

    private static RpcException Rich(StatusCode code, string message, string reason, (string Type, string Name)? resource)
    {
        var details = new Google.Rpc.Status { Code = (int)code, Message = message };
        details.Details.Add(Any.Pack(new ErrorInfo { Reason = reason, Domain = "dapr.io" }));
        if (resource is { } r) details.Details.Add(Any.Pack(new ResourceInfo { ResourceType = r.Type, ResourceName = r.Name, Description = message }));
        return new RpcException(new Status(code, message), new Metadata { { DetailsTrailer, details.ToByteArray() } });
    }
}
