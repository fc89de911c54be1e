using System.Collections.Concurrent;
using System.Text.Json;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Veltrix.Testing;

namespace Veltrix.Sdk.Conformance.Tests;

/// <summary>
/// A subscriber written the way an app on the official SDK is: Dapr.AspNetCore's `UseCloudEvents`,
/// `MapSubscribeHandler`, `WithTopic`, `WithBulkSubscribe` and `[Topic]` controllers, on a free loopback port.
/// It records every delivery (the envelope as sent and the body the handler saw) and answers as the test scripts.
/// Topics carry a per-app suffix (<see cref="Topic"/>) so tests on a shared broker never see each other's messages.
/// </summary>
public sealed class SubscriberApp : IAsyncDisposable
{
    public const string AttributeTopic = "attr-orders";

    private readonly WebApplication _app;

    private SubscriberApp(WebApplication app, int port, string suffix, DeliveryLog log)
    {
        _app = app;
        Port = port;
        Suffix = suffix;
        Log = log;
    }

    public int Port { get; }
    public string Suffix { get; }
    public DeliveryLog Log { get; }

    public string Topic(string name) => $"{name}-{Suffix}";

    public static async Task<SubscriberApp> StartAsync(string pubsub = Backends.PubSubName)
    {
        var port = FreePort.Next();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string Topic(string name) => $"{name}-{suffix}";
        var log = new DeliveryLog();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(log);
        builder.Services.AddControllers().AddDapr().AddApplicationPart(typeof(SubscriberApp).Assembly);
        var app = builder.Build();

        // Before UseCloudEvents: keep the body exactly as the sidecar sent it.
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method))
            {
                context.Request.EnableBuffering();
                using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
                context.Items["envelope"] = await reader.ReadToEndAsync();
                context.Request.Body.Position = 0;
            }
            await next();
        });
        app.UseCloudEvents();
        app.MapSubscribeHandler();
        app.MapControllers();

        app.MapPost("/orders", (Func<HttpContext, Task<IResult>>)log.HandleAsync).WithTopic(pubsub, Topic("orders"));
        app.MapPost("/raw", (Func<HttpContext, Task<IResult>>)log.HandleAsync).WithTopic(pubsub, Topic("raw"), enableRawPayload: true);
        app.MapPost("/flaky", (Func<HttpContext, Task<IResult>>)log.HandleAsync).WithTopic(new TopicOptions { PubsubName = pubsub, Name = Topic("flaky"), DeadLetterTopic = Topic("dead") });
        app.MapPost("/dead", (Func<HttpContext, Task<IResult>>)log.HandleAsync).WithTopic(pubsub, Topic("dead"));
        app.MapPost("/bulk", (Func<HttpContext, Task<IResult>>)log.HandleBulkAsync)
            .WithTopic(new TopicOptions { PubsubName = pubsub, Name = Topic("bulk"), DeadLetterTopic = Topic("dead") })
            .WithBulkSubscribe(new BulkSubscribeTopicOptions { TopicName = Topic("bulk"), MaxMessagesCount = 10, MaxAwaitDurationMs = 200 });

        await app.StartAsync();
        return new SubscriberApp(app, port, suffix, log);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What the subscriber received, and how it answers (by route, by attempt number).</summary>
public sealed class DeliveryLog
{
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    /// <summary>Scripted answers for single deliveries: route → (attempt → status, JSON body or null).</summary>
    public ConcurrentDictionary<string, Func<int, (int Status, string? Body)>> Answers { get; } = new();

    /// <summary>Scripted per-entry answers for bulk deliveries: (order id, attempt for that id) → status.</summary>
    public Func<string, int, BulkSubscribeAppResponseStatus> BulkAnswer { get; set; } = (_, _) => BulkSubscribeAppResponseStatus.SUCCESS;

    public IReadOnlyList<Delivery> On(string route) => Deliveries.Where(d => d.Route == route).ToList();

    public int Attempts(string key) => _attempts.GetValueOrDefault(key);

    private volatile TaskCompletionSource? _hold;

    /// <summary>From now on single deliveries wait after being recorded, until <see cref="Release"/>: a stuck subscriber.</summary>
    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => Interlocked.Exchange(ref _hold, null)?.SetResult();

    internal async Task<IResult> HandleAsync(HttpContext context)
    {
        var delivery = await RecordAsync(context);
        if (_hold is { } hold) await hold.Task.WaitAsync(context.RequestAborted);
        var attempt = _attempts.AddOrUpdate(delivery.Route, 1, (_, n) => n + 1);
        var (status, body) = Answers.TryGetValue(delivery.Route, out var answer) ? answer(attempt) : (200, null);
        return body is null ? Results.StatusCode(status) : Results.Content(body, "application/json", statusCode: status);
    }

    internal async Task<IResult> HandleBulkAsync(HttpContext context)
    {
        var delivery = await RecordAsync(context);
        var message = JsonSerializer.Deserialize<BulkSubscribeMessage<BulkMessageModel<Order>>>(delivery.HandlerBody, JsonSerializerOptions.Web)!;
        var statuses = message.Entries.Select(entry =>
        {
            var id = entry.Event.Data.Id;
            var attempt = _attempts.AddOrUpdate("bulk:" + id, 1, (_, n) => n + 1);
            return new BulkSubscribeAppResponseEntry(entry.EntryId, BulkAnswer(id, attempt));
        }).ToList();
        return Results.Json(new BulkSubscribeAppResponse(statuses));
    }

    internal void Record(Delivery delivery) => Deliveries.Enqueue(delivery);

    private async Task<Delivery> RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var delivery = new Delivery(context.Request.Path.Value!.TrimStart('/'), context.Items["envelope"] as string ?? "", body,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()));
        Deliveries.Enqueue(delivery);
        return delivery;
    }
}

/// <summary>The attribute form: `[Topic]` on a controller action that binds the original object from the CloudEvent.</summary>
[ApiController]
public sealed class AttributeTopicController(DeliveryLog log) : ControllerBase
{
    [Topic(Backends.PubSubName, SubscriberApp.AttributeTopic)]
    [HttpPost("attr-orders")]
    public IActionResult Post(Order order)
    {
        log.Record(new Delivery("attr-orders", HttpContext.Items["envelope"] as string ?? "", JsonSerializer.Serialize(order, JsonSerializerOptions.Web),
            new Dictionary<string, string>()));
        return Ok();
    }
}
