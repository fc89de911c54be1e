using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Veltrix.Dapr.Client;
using Veltrix.ServiceDefaults.Metrics;
using Veltrix.ServiceDefaults.Telemetry;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>The parts of event counting the dev sidecar cannot be made to exercise: partial bulk failures, bulk answers.</summary>
public sealed class EventCountingUnitTests
{
    [Theory]
    [InlineData("POST", "http://127.0.0.1:3500/v1.0/publish/pubsub/orders", "pubsub", "orders", false)]
    [InlineData("PUT", "http://127.0.0.1:3500/v1.0/publish/pubsub/a/b%20c?metadata.ttlInSeconds=5", "pubsub", "a/b c", false)]
    [InlineData("POST", "http://127.0.0.1:3500/v1.0-alpha1/publish/bulk/pubsub/orders", "pubsub", "orders", true)]
    [InlineData("POST", "http://sidecar/base/v1.0/publish/bulk/my%2Dbus/orders", "my-bus", "orders", true)]
    public void Publish_routes_are_recognised(string method, string url, string pubsub, string topic, bool bulk)
    {
        Assert.True(PublishRoute.TryParse(new HttpRequestMessage(new HttpMethod(method), url), out var route));
        Assert.Equal(new PublishRoute(pubsub, topic, bulk), route);
    }

    [Theory]
    [InlineData("GET", "http://127.0.0.1:3500/v1.0/publish/pubsub/orders")]
    [InlineData("POST", "http://127.0.0.1:3500/v1.0/state/store")]
    [InlineData("POST", "http://127.0.0.1:3500/v1.0/publish/pubsub")]
    public void Other_requests_are_not_publishes(string method, string url) =>
        Assert.False(PublishRoute.TryParse(new HttpRequestMessage(new HttpMethod(method), url), out _));

    [Fact]
    public async Task A_partial_bulk_failure_counts_accepted_and_failed_entries_and_DaprClient_still_reads_the_answer()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var prometheus = new PrometheusMetrics(factory, m => m.Name == EventMetrics.MeterName, NullLogger.Instance, 100);
        var handler = new PublishMetricsHandler(new EventMetrics(factory))
        {
            InnerHandler = new Answering(HttpStatusCode.InternalServerError,
                """{"failedEntries":[{"entryId":"1","error":"broker full"}],"errorCode":"ERR_PUBSUB_PUBLISH_MESSAGE"}"""),
        };
        var dapr = new DaprClient(new HttpClient(handler), new DaprClientOptions { HttpEndpoint = "http://127.0.0.1:1", DaprApiToken = "" });

        var result = await dapr.BulkPublishEventAsync("pubsub", "orders", ["a", "b", "c"]);

        Assert.Single(result.FailedEntries);
        var samples = PrometheusText.Parse(prometheus.Scrape());
        Assert.Equal(2, PrometheusText.Value(samples, "veltrix_events_published_total", ("topic", "orders")));
        Assert.Equal(1, PrometheusText.Value(samples, "veltrix_events_publish_failed_total", ("topic", "orders")));
    }

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

    private sealed class Answering(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
