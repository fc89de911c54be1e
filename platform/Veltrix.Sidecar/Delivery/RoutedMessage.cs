using System.Text.Json;

namespace Veltrix.Sidecar.Delivery;

/// <summary>A message ready to send: the app path its rules chose, the bytes to POST, and the parsed CloudEvent.</summary>
public sealed record RoutedMessage(string Path, byte[] Body, JsonElement Event, IReadOnlyDictionary<string, string> Metadata);
