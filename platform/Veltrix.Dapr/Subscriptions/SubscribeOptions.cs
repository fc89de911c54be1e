namespace Veltrix.Dapr;

/// <summary>Options for <c>MapSubscribeHandler</c>.</summary>
public sealed class SubscribeOptions
{
    /// <summary>Subscribe every topic with <c>rawPayload: "true"</c>, whatever the endpoints say.</summary>
    public bool EnableRawPayload { get; set; }
}
