using Grpc.Core;
using Veltrix.Sidecar.Grpc;
using Veltrix.Sidecar.Operations;

namespace Veltrix.Sidecar.Tests.Grpc;

/// <summary>
/// Every outcome of the shared publish and state operations maps to daprd's gRPC status (reference §2.3) — including
/// the ones a conformance test cannot provoke on demand (a broker that fails a publish).
/// </summary>
public sealed class GrpcErrorsTests
{
    [Theory]
    [InlineData(PublishErrorKind.PubSubNameEmpty, StatusCode.InvalidArgument)]
    [InlineData(PublishErrorKind.NoPubSubConfigured, StatusCode.FailedPrecondition)]
    [InlineData(PublishErrorKind.PubSubNotFound, StatusCode.InvalidArgument)]
    [InlineData(PublishErrorKind.TopicEmpty, StatusCode.InvalidArgument)]
    [InlineData(PublishErrorKind.BadMetadata, StatusCode.InvalidArgument)]
    [InlineData(PublishErrorKind.BadEntryId, StatusCode.InvalidArgument)]
    [InlineData(PublishErrorKind.EventDoesNotFitContentType, StatusCode.InvalidArgument)]
    [InlineData(PublishErrorKind.CannotCreateCloudEvent, StatusCode.InvalidArgument)]
    [InlineData(PublishErrorKind.BoundReached, StatusCode.ResourceExhausted)]
    [InlineData(PublishErrorKind.BrokerFailed, StatusCode.Internal)]
    public void Publish_errors(PublishErrorKind kind, StatusCode expected)
    {
        var error = GrpcErrors.For(new PublishError(kind, "the message", "pubsub"));

        Assert.Equal((expected, "the message"), (error.StatusCode, error.Status.Detail));
    }

    [Fact]
    public void Every_publish_error_kind_is_covered() =>
        Assert.Equal(Enum.GetValues<PublishErrorKind>().Length, typeof(GrpcErrorsTests).GetMethod(nameof(Publish_errors))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Length);

    [Theory]
    [InlineData(StateErrorKind.NoStoreConfigured, StatusCode.FailedPrecondition)]
    [InlineData(StateErrorKind.StoreNotFound, StatusCode.InvalidArgument)]
    [InlineData(StateErrorKind.KeyEmpty, StatusCode.InvalidArgument)]
    [InlineData(StateErrorKind.IllegalKey, StatusCode.InvalidArgument)]
    [InlineData(StateErrorKind.InvalidRequest, StatusCode.InvalidArgument)]
    [InlineData(StateErrorKind.UnsupportedOperation, StatusCode.Unimplemented)]
    [InlineData(StateErrorKind.ETagMismatch, StatusCode.Aborted)]
    [InlineData(StateErrorKind.StoreFailed, StatusCode.Internal)]
    public void State_errors(StateErrorKind kind, StatusCode expected)
    {
        var error = GrpcErrors.For(new StateError(kind, "the message", "statestore"));

        Assert.Equal((expected, "the message"), (error.StatusCode, error.Status.Detail));
    }

    [Fact]
    public void Every_state_error_kind_is_covered() =>
        Assert.Equal(Enum.GetValues<StateErrorKind>().Length, typeof(GrpcErrorsTests).GetMethod(nameof(State_errors))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Length);

    [Fact]
    public void A_broker_failure_reads_as_daprd_words_it()
    {
        var error = GrpcErrors.For(Veltrix.Sidecar.Operations.Publishing.PublishFailed("pubsub", "orders", "connection lost", boundReached: false));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("error when publishing to topic orders in pubsub pubsub: connection lost", error.Status.Detail);
    }
}
