namespace Veltrix.Sidecar.Delivery;

/// <summary>
/// A message ready to send: the app path its rules chose, the CloudEvent bytes to POST, the broker's original bytes
/// (what a rawPayload bulk entry carries), the publish metadata and the trace context found in the event.
/// </summary>
public sealed record RoutedMessage(string Path, ReadOnlyMemory<byte> Body, ReadOnlyMemory<byte> Original, IReadOnlyDictionary<string, string> Metadata, string? TraceParent, string? TraceState);
