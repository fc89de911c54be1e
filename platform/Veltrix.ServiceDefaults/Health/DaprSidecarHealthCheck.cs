using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Veltrix.ServiceDefaults.Health;

/// <summary>
/// Ready when the SDK's <c>CheckOutboundHealthAsync</c> (<c>/v1.0/healthz/outbound</c>) succeeds: publish and state calls
/// can work. The outbound probe rather than <c>CheckHealthAsync</c> (<c>/v1.0/healthz</c>), because the latter waits for
/// this very app to be ready. The reason names the address the SDK uses, resolved the SDK's way.
/// </summary>
internal sealed class DaprSidecarHealthCheck(DaprClient dapr, IConfiguration configuration) : IHealthCheck
{
    public const string Name = "dapr-sidecar";

    private readonly string _endpoint = DaprDefaults.GetDefaultHttpEndpoint(configuration);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await dapr.CheckOutboundHealthAsync(cancellationToken)
            ? HealthCheckResult.Healthy($"the sidecar at {_endpoint} answers")
            : new HealthCheckResult(context.Registration.FailureStatus,
                $"the Dapr sidecar at {_endpoint} does not answer GET /v1.0/healthz/outbound with 204; check DAPR_HTTP_PORT/DAPR_HTTP_ENDPOINT and that the sidecar runs");
}
