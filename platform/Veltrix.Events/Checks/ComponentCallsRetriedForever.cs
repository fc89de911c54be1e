using Veltrix.Resources.Diagnostics;

namespace Veltrix.Events.Checks;

/// <summary>
/// A component target's outbound retry policy without maxRetries (-1, Dapr's default) retries a publish or a state
/// call for as long as the broker or store is down. The app's request then hangs instead of failing with an error it
/// could answer (Veltrix services answer 503 VX3013 with Retry-After when a call fails) — pain point C7, "retry
/// policies that never give up", on the side of the calls an app makes rather than the deliveries it receives.
/// </summary>
internal static class ComponentCallsRetriedForever
{
    public static void Check(CheckContext context, DiagnosticSink sink)
    {
        foreach (var resiliency in context.Resiliencies ?? [])
            foreach (var target in resiliency.ComponentTargets)
            {
                if (target.Outbound is not { Retry: { } name } outbound || !resiliency.Retries.TryGetValue(name, out var policy) || policy.MaxRetries != -1) continue;
                sink.Warning(EventErrorCodes.ComponentCallsRetriedForever, outbound.RetryLocation ?? outbound.Location,
                    $"calls to component '{target.Component}' (publishes, state reads and writes) are retried forever: retry policy '{name}' has no maxRetries (-1, Dapr's default), so an app's request hangs for as long as the broker or store is down",
                    $"set 'maxRetries' on policy '{name}' so the call fails and the app can answer 503 and be retried by its caller", policy.Location);
            }
    }
}
