using Microsoft.Extensions.Diagnostics.HealthChecks;
using Veltrix.Dapr.Client;

namespace Veltrix.ServiceDefaults.Health;

/// <summary>
/// Ready when the sidecar's outbound health (<c>/v1.0/healthz/outbound</c>) answers 204: publish and state calls can
/// work. The outbound probe rather than <c>/v1.0/healthz</c>, because the latter waits for this very app to be ready.
/// </summary>
internal sealed class DaprSidecarHealthCheck(DaprClient dapr) : IHealthCheck
{
    public const string Name = "dapr-sidecar";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await dapr.CheckOutboundHealthAsync(cancellationToken)
            ? HealthCheckResult.Healthy($"the sidecar at {dapr.HttpEndpoint} answers")
            : new HealthCheckResult(context.Registration.FailureStatus,
                $"the Dapr sidecar at {dapr.HttpEndpoint} does not answer GET /v1.0/healthz/outbound with 204; check DAPR_HTTP_PORT/DAPR_HTTP_ENDPOINT and that the sidecar runs");
}
