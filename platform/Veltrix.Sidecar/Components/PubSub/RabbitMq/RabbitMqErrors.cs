namespace Veltrix.Sidecar.Components.PubSub.RabbitMq;

/// <summary>The VX codes `pubsub.rabbitmq` emits (documented in docs/errors.md).</summary>
internal static class RabbitMqErrors
{
    /// <summary>The broker cannot be reached (or refuses the login) when the sidecar starts.</summary>
    public const string Unreachable = "VX2020";

    /// <summary>A publish the broker did not confirm (nack, timeout, or connection lost before the confirm).</summary>
    public const string PublishNotConfirmed = "VX2021";

    /// <summary>A subscription's queue or exchange could not be declared as configured (e.g. a quorum queue with deletedWhenUnused).</summary>
    public const string TopologyRefused = "VX2022";
}
