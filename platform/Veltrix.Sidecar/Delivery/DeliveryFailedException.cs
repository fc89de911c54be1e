namespace Veltrix.Sidecar.Delivery;

/// <summary>A message could not be delivered and has no dead-letter topic: the component decides what happens next.</summary>
public sealed class DeliveryFailedException(string message) : Exception(message);
