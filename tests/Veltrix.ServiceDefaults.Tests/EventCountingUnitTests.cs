using System.Text;
using Veltrix.ServiceDefaults.Telemetry;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>How delivery counting reads an answer, for every answer the sidecar can get (publish counting is the publisher's: Veltrix.Events.Tests).</summary>
public sealed class EventCountingUnitTests
{
    [Theory]
    [InlineData("", 1, 0, 0)]
    [InlineData("""{"status":"SUCCESS"}""", 1, 0, 0)]
    [InlineData("""{"status":"success"}""", 1, 0, 0)]
    [InlineData("""{"status":""}""", 1, 0, 0)]
    [InlineData("""{"status":"RETRY"}""", 0, 1, 0)]
    [InlineData("""{"status":"DROP"}""", 0, 0, 1)]
    [InlineData("""{"status":"MAYBE"}""", 0, 1, 0)]
    [InlineData("not json", 1, 0, 0)]
    [InlineData("""{"statuses":[{"entryId":"1","status":"SUCCESS"},{"entryId":"2","status":"RETRY"},{"entryId":"3","status":"DROP"},{"entryId":"4","status":"SUCCESS"}]}""", 2, 1, 1)]
    public void Topic_answers_are_read_as_the_sidecar_reads_them(string body, int delivered, int retried, int dropped) =>
        Assert.Equal((delivered, retried, dropped), body.Length == 0 ? (1, 0, 0) : DeliveryMetricsMiddleware.ReadAnswer(Encoding.UTF8.GetBytes(body)));
}
