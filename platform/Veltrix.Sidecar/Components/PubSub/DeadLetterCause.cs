namespace Veltrix.Sidecar.Components.PubSub;

/// <summary>
/// The message metadata key that carries why a message was sent to its dead-letter topic. daprd adds no such thing;
/// the dev sidecar adds it to the dead-letter copy (the event bytes stay the original ones), every component carries it
/// (RabbitMQ as an AMQP header), and the owner receives it as the delivery header of the same name.
/// </summary>
public static class DeadLetterCause
{
    public const string MetadataKey = "veltrix-dead-letter-cause";
}
