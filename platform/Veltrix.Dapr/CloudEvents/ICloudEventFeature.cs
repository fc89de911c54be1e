namespace Veltrix.Dapr.AspNetCore;

/// <summary>Set by <c>UseCloudEvents</c> on requests that carried a CloudEvent envelope.</summary>
public interface ICloudEventFeature
{
    CloudEventEnvelope CloudEvent { get; }
}

internal sealed class CloudEventFeature(CloudEventEnvelope cloudEvent) : ICloudEventFeature
{
    public CloudEventEnvelope CloudEvent { get; } = cloudEvent;
}
