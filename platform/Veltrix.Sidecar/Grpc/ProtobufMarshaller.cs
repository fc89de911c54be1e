using Google.Protobuf;
using Grpc.Core;

namespace Veltrix.Sidecar.Grpc;

/// <summary>
/// The marshaller both gRPC fronts (the Dapr API and the workflow task hub) use for the SDK's message types. It reads
/// a request straight from the received frames and writes a response straight into the transport's buffer, as the
/// generated server code does: the simple byte-array form copies every message into one array first, and a bulk
/// publish of 500 events is big enough to land each of those arrays on the large object heap, whose budget then
/// triggers a full (gen2) collection every few hundred milliseconds under load.
/// </summary>
internal static class ProtobufMarshaller
{
    public static Marshaller<T> For<T>() where T : IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return new Marshaller<T>(
            (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
    }
}
