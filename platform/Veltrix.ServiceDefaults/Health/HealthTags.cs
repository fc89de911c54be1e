namespace Veltrix.ServiceDefaults.Health;

/// <summary>Which probe a health check belongs to. Services add their own checks with these tags.</summary>
public static class HealthTags
{
    /// <summary>Liveness (<c>/healthz</c>): the process runs. No dependency may be tagged live, or a sidecar outage restarts every app.</summary>
    public const string Live = "live";

    /// <summary>Readiness (<c>/readyz</c>): the service can do its work now (its sidecar answers).</summary>
    public const string Ready = "ready";
}
