using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Dapr.Tests.Infrastructure;

namespace Veltrix.Dapr.Tests.CloudEvents;

/// <summary>UseCloudEvents against real HTTP requests shaped like the sidecar's deliveries.</summary>
public sealed class CloudEventsMiddlewareTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<SubscriberApp> StartEchoAppAsync() => SubscriberApp.StartAsync(web =>
    {
        // Typed binding: what a topic handler sees.
        web.MapPost("/typed", (Order order, HttpContext context) =>
            Results.Json(new { order.OrderId, order.Quantity, Id = context.GetCloudEvent()?.Id }));
        // Raw view: the body and content type after unwrapping, plus the envelope.
        web.MapPost("/raw", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var envelope = context.GetCloudEvent();
            return Results.Json(new
            {
                ContentType = context.Request.ContentType,
                Body = Convert.ToBase64String(buffer.ToArray()),
                Envelope = envelope,
            });
        });
    }, mapSubscribeHandler: false);

    private static async Task<JsonElement> PostAsync(SubscriberApp app, string path, string body, string contentType)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var response = await http.PostAsync(path, content, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }

    [Fact]
    public async Task Json_data_binds_to_the_handler_type_and_the_envelope_is_exposed()
    {
        await using var app = await StartEchoAppAsync();

        var answer = await PostAsync(app, "/typed", """
            {"specversion":"1.0","id":"evt-42","source":"hunt","type":"com.dapr.event.sent","datacontenttype":"application/json",
             "topic":"orders","pubsubname":"pubsub","traceid":"00-abc-def-01","traceparent":"00-abc-def-01","tracestate":"",
             "time":"2025-03-01T10:00:00+01:00","data":{"orderId":"o-7","quantity":3}}
            """, "application/cloudevents+json");

        Assert.Equal("o-7", answer.GetProperty("orderId").GetString());
        Assert.Equal(3, answer.GetProperty("quantity").GetInt32());
        Assert.Equal("evt-42", answer.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Envelope_attributes_and_extensions_are_read()
    {
        await using var app = await StartEchoAppAsync();

        var answer = await PostAsync(app, "/raw", """
            {"specversion":"1.0","id":"evt-1","source":"hunt","type":"solved","datacontenttype":"application/json; charset=utf-8",
             "subject":"s","topic":"orders","pubsubname":"pubsub","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
             "time":"2025-03-01T10:00:00+01:00","veltrixversion":"v3","priority":{"lane":1},"data":{"a":1}}
            """, "application/cloudevents+json; charset=utf-8");

        var envelope = answer.GetProperty("envelope");
        Assert.Equal("evt-1", envelope.GetProperty("id").GetString());
        Assert.Equal("hunt", envelope.GetProperty("source").GetString());
        Assert.Equal("solved", envelope.GetProperty("type").GetString());
        Assert.Equal("1.0", envelope.GetProperty("specVersion").GetString());
        Assert.Equal("s", envelope.GetProperty("subject").GetString());
        Assert.Equal("orders", envelope.GetProperty("topic").GetString());
        Assert.Equal("pubsub", envelope.GetProperty("pubsubName").GetString());
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", envelope.GetProperty("traceParent").GetString());
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.FromHours(1)), envelope.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("v3", envelope.GetProperty("extensions").GetProperty("veltrixversion").GetString());
        Assert.Equal(1, envelope.GetProperty("extensions").GetProperty("priority").GetProperty("lane").GetInt32());
        Assert.Equal("application/json; charset=utf-8", answer.GetProperty("contentType").GetString());
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(Convert.FromBase64String(answer.GetProperty("body").GetString()!)));
    }

    [Fact]
    public async Task String_data_with_a_text_content_type_becomes_the_text_itself()
    {
        await using var app = await StartEchoAppAsync();

        var answer = await PostAsync(app, "/raw",
            """{"specversion":"1.0","id":"t1","source":"s","type":"t","datacontenttype":"text/plain","data":"hello \"world\""}""",
            "application/cloudevents+json");

        Assert.Equal("text/plain", answer.GetProperty("contentType").GetString());
        Assert.Equal("hello \"world\"", Encoding.UTF8.GetString(Convert.FromBase64String(answer.GetProperty("body").GetString()!)));
    }

    [Fact]
    public async Task Data_base64_becomes_the_decoded_bytes()
    {
        await using var app = await StartEchoAppAsync();
        byte[] payload = [0, 1, 2, 250, 255];

        var answer = await PostAsync(app, "/raw",
            $$"""{"id":"r1","specversion":"1.0","datacontenttype":"application/octet-stream","source":"Dapr","type":"com.dapr.event.sent","topic":"t","pubsubname":"p","data_base64":"{{Convert.ToBase64String(payload)}}"}""",
            "application/cloudevents+json");

        Assert.Equal("application/octet-stream", answer.GetProperty("contentType").GetString());
        Assert.Equal(payload, Convert.FromBase64String(answer.GetProperty("body").GetString()!));
        Assert.Equal("r1", answer.GetProperty("envelope").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Other_content_types_pass_through_untouched()
    {
        await using var app = await StartEchoAppAsync();
        const string body = """{"specversion":"1.0","id":"x","data":{"orderId":"o"}}""";

        var answer = await PostAsync(app, "/raw", body, "application/json");

        Assert.Equal("application/json", answer.GetProperty("contentType").GetString());
        Assert.Equal(body, Encoding.UTF8.GetString(Convert.FromBase64String(answer.GetProperty("body").GetString()!)));
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("envelope").ValueKind);
    }

    [Fact]
    public async Task An_envelope_without_an_id_is_dropped_not_handled()
    {
        await using var app = await StartEchoAppAsync();

        var answer = await PostAsync(app, "/typed", """{"specversion":"1.0","source":"s","type":"t","data":{"orderId":"o","quantity":1}}""",
            "application/cloudevents+json");

        Assert.Equal("DROP", answer.GetProperty("status").GetString());
    }
}
