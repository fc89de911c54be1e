using Veltrix.Events.Model;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Events.Checks;

/// <summary>
/// A resiliency target under `spec.targets.apps` applies to service invocation of that app only. Operators write one
/// for a consumer app expecting its deliveries to be retried; Dapr retries pub/sub deliveries by the pub/sub's
/// `inbound` component target instead (pain point C7: "app-level target ignored for pubsub"). Reported when the app
/// consumes an event type whose deliveries get no retry policy at all (no `retry:`, no inbound target).
/// </summary>
internal static class AppTargetNotForDeliveries
{
    public static void Check(IReadOnlyList<EventConfiguration> configurations, CheckContext context, DiagnosticSink sink)
    {
        foreach (var target in (context.Resiliencies ?? []).SelectMany(r => r.AppTargets).Where(t => t.Policies.Retry is not null))
        {
            var unretried = configurations.SelectMany(c => c.Events)
                .Where(d => d.Retry is null && context.InboundRetry(d.PubSub) is null)
                .Select(d => (Definition: d, Consumer: d.Consumers.FirstOrDefault(c => c.App == target.Name)))
                .FirstOrDefault(x => x.Consumer is not null);
            if (unretried.Consumer is not { } consumer) continue;
            sink.Warning(EventErrorCodes.AppTargetNotForDeliveries, target.Location,
                $"resiliency target app '{target.Name}' applies to service invocation of '{target.Name}' only: deliveries of '{unretried.Definition.Type}' to it get no retries, because pub/sub '{unretried.Definition.PubSub}' has no inbound target",
                $"add 'components: {{{unretried.Definition.PubSub}: {{inbound: {{retry: {target.Policies.Retry}}}}}}}' under spec.targets, or 'retry: {target.Policies.Retry}' on the event type",
                consumer.AppLocation ?? consumer.Location);
        }
    }
}
