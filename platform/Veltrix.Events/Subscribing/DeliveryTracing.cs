using System.Diagnostics;

namespace Veltrix.Events.Subscribing;

/// <summary>
/// One span per delivered event, in the trace of the request that published it. A bulk delivery is one HTTP request
/// carrying events of many traces, so the request's own span (ASP.NET Core's) can belong to none of them: each entry's
/// CloudEvent carries its own <c>traceparent</c> (the distributed-tracing extension the sidecar stamps on publish), and
/// its <c>{topic} process</c> span (kind Consumer, as the OpenTelemetry messaging conventions name it) continues that.
/// The handler sees the span's context as <see cref="IncomingEvent{TData}.Trace"/> and hands it to what the event causes
/// to be published (<c>OutgoingEvent.Trace</c>), so a batch's events fan out into their own traces rather than one.
/// Exported by ServiceDefaults' tracing, which takes every <c>Veltrix.*</c> source.
/// </summary>
internal static class DeliveryTracing
{
    public const string SourceName = "Veltrix.Events";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// The process span of one entry, or null when its CloudEvent has no valid <c>traceparent</c> or no one listens.
    /// <see cref="Activity.Current"/> is left as it was: the entries of a batch are handled together, so none of them is "the" current one.
    /// </summary>
    public static Activity? StartProcess(string topic, string eventId, string eventType, string? traceParent, string? traceState)
    {
        if (!ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent)) return null;
        var previous = Activity.Current;
        var activity = Source.StartActivity($"{topic} process", ActivityKind.Consumer, parent);
        Activity.Current = previous;
        if (activity is null) return null;
        // A span the sampler left out is still created, to carry the trace context on (PropagationData); its tags would
        // never be exported, and setting them allocates for every event the trace budget does not record.
        if (!activity.IsAllDataRequested) return activity;
        activity.SetTag("messaging.system", "dapr");
        activity.SetTag("messaging.operation.type", "process");
        activity.SetTag("messaging.destination.name", topic);
        activity.SetTag("messaging.message.id", eventId);
        activity.SetTag("cloudevents.event_id", eventId);
        activity.SetTag("cloudevents.event_type", eventType);
        return activity;
    }

    /// <summary>Ends the entry's span with the answer the sidecar gets for it; restores <see cref="Activity.Current"/>, which <see cref="Activity.Stop"/> resets.</summary>
    public static void Stop(Activity? activity, string status)
    {
        if (activity is null) return;
        var previous = Activity.Current;
        if (activity.IsAllDataRequested)
        {
            activity.SetTag("veltrix.delivery.status", status);
            if (status != "SUCCESS") activity.SetStatus(ActivityStatusCode.Error, status);
        }
        activity.Stop();
        Activity.Current = previous;
    }

    /// <summary>The W3C <c>traceparent</c> of <paramref name="context"/>, as a CloudEvent's distributed-tracing extension holds it.</summary>
    public static string TraceParent(ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";
}
