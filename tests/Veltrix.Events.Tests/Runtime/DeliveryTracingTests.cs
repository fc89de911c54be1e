using System.Diagnostics;
using Veltrix.Events.Subscribing;

namespace Veltrix.Events.Tests.Runtime;

/// <summary>
/// The per-event process span when the sampler records it and when it does not: a span left out still carries the
/// event's trace on (what the handler publishes continues it), but gets no attributes, which nobody would export.
/// </summary>
[Collection(ActivityListeners.Name)]
public sealed class DeliveryTracingTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";

    [Theory]
    [InlineData(ActivitySamplingResult.AllDataAndRecorded, true)]
    [InlineData(ActivitySamplingResult.AllData, true)]
    [InlineData(ActivitySamplingResult.PropagationData, false)]
    public void A_span_continues_the_events_trace_and_has_attributes_only_when_its_data_is_wanted(ActivitySamplingResult sampling, bool attributes)
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DeliveryTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => sampling,
        };
        ActivitySource.AddActivityListener(listener);

        var span = DeliveryTracing.StartProcess("readings", "event-1", "reading.taken", TraceParent, null);
        Assert.NotNull(span);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", span.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", span.ParentSpanId.ToHexString());
        DeliveryTracing.Stop(span, "RETRY");

        Assert.Equal(attributes ? "event-1" : null, span.GetTagItem("messaging.message.id"));
        Assert.Equal(attributes ? "RETRY" : null, span.GetTagItem("veltrix.delivery.status"));
        Assert.Equal(attributes ? ActivityStatusCode.Error : ActivityStatusCode.Unset, span.Status);
    }
}

/// <summary>
/// An <see cref="ActivityListener"/> sees the spans of every test running at the same time, and the sampling decision
/// is the most any listener asks for: the tests that listen run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ActivityListeners
{
    public const string Name = "activity listeners";
}
