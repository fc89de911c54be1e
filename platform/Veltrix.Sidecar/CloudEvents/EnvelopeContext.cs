namespace Veltrix.Sidecar.CloudEvents;

/// <summary>What the publishing side knows when it wraps a message: who, where, when, and the publish metadata.</summary>
public sealed record EnvelopeContext(
    string AppId, string PubSubName, string Topic, string? TraceParent, string? TraceState, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset Now);
