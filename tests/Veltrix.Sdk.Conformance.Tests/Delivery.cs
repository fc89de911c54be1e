using System.Text.Json;

namespace Veltrix.Sdk.Conformance.Tests;

/// <summary>
/// One call the subscriber app received: the route, the body exactly as the sidecar sent it (the CloudEvent
/// envelope), the body the app's handler saw after `UseCloudEvents`, and the request headers.
/// </summary>
public sealed record Delivery(string Route, string Envelope, string HandlerBody, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement EnvelopeJson => JsonDocument.Parse(Envelope).RootElement.Clone();

    public string Attribute(string name) => EnvelopeJson.TryGetProperty(name, out var value) ? value.ToString() : "";
}

/// <summary>What the tests publish; the subscriber binds it back from the CloudEvent's data.</summary>
public sealed record Order(string Id, int Quantity);
