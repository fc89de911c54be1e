using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Veltrix.Bench;

/// <summary>
/// The subscriber both runs deliver to: the same Kestrel app receives events through the sidecar and, for the
/// baseline, straight from the load tool. Each event carries the Stopwatch timestamp it was sent at.
/// </summary>
internal sealed class SubscriberApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private LatencyRecorder _latency = new(1);
    private long _received;

    private SubscriberApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public long Received => Interlocked.Read(ref _received);

    public void Reset(int expected)
    {
        _latency = new LatencyRecorder(expected);
        Interlocked.Exchange(ref _received, 0);
    }

    public LatencyRecorder Latency => _latency;

    public static async Task<SubscriberApp> StartAsync(int port)
    {
        var app = QuietKestrel.Build(port);
        var subscriber = new SubscriberApp(app, port);
        app.MapGet("/dapr/subscribe", () => Results.Text("""
            [{"pubsubname":"pubsub","topic":"single","route":"/single"},
             {"pubsubname":"pubsub","topic":"bulk","route":"/bulk","bulkSubscribe":{"enabled":true,"maxMessagesCount":100,"maxAwaitDurationMs":5}}]
            """, "application/json"));
        app.MapPost("/single", (Delegate)subscriber.SingleAsync);
        app.MapPost("/bulk", (Delegate)subscriber.BulkAsync);
        await app.StartAsync();
        return subscriber;
    }

    private async Task<IResult> SingleAsync(HttpContext context)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        _latency.Record(document.RootElement.GetProperty("data").GetProperty("sent").GetInt64());
        Interlocked.Increment(ref _received);
        return Results.Text("""{"status":"SUCCESS"}""", "application/json");
    }

    private async Task<IResult> BulkAsync(HttpContext context)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        var answer = new StringBuilder("""{"statuses":[""");
        var first = true;
        foreach (var entry in document.RootElement.GetProperty("entries").EnumerateArray())
        {
            _latency.Record(entry.GetProperty("event").GetProperty("data").GetProperty("sent").GetInt64());
            Interlocked.Increment(ref _received);
            if (!first) answer.Append(',');
            first = false;
            answer.Append("""{"entryId":""").Append(entry.GetProperty("entryId").GetRawText()).Append(""","status":"SUCCESS"}""");
        }
        return Results.Text(answer.Append("]}").ToString(), "application/json");
    }

    public static long Now() => Stopwatch.GetTimestamp();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
