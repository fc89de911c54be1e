using Dapr.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Veltrix.ServiceDefaults.Health;

/// <summary>
/// Ready when the SDK's <c>CheckOutboundHealthAsync</c> (<c>/v1.0/healthz/outbound</c>) succeeds: publish and state calls
/// can work. The outbound probe rather than <c>CheckHealthAsync</c> (<c>/v1.0/healthz</c>), because the latter waits for
/// this very app to be ready.
/// </summary>
internal sealed class DaprSidecarHealthCheck(DaprClient dapr) : IHealthCheck
{
    public const string Name = "dapr-sidecar";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await dapr.CheckOutboundHealthAsync(cancellationToken)
            ? HealthCheckResult.Healthy("the Dapr sidecar answers")
            : new HealthCheckResult(context.Registration.FailureStatus,
                "the Dapr sidecar does not answer GET /v1.0/healthz/outbound with 204; check DAPR_HTTP_PORT/DAPR_HTTP_ENDPOINT and that the sidecar runs");
}
