using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Veltrix.Testing;

/// <summary>One request the recording app received from the sidecar.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A real Kestrel app on a loopback port that plays the application side of the sidecar contract: it records
/// every request and answers with whatever the test scripted for that path.
/// </summary>
public sealed class RecordingApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<ReceivedRequest, int, Task<(int Status, string? Body)>>> _responders = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();
    public int Port { get; }

    private RecordingApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public static async Task<RecordingApp> StartAsync(string subscribeJson = "[]", int? port = null)
    {
        port ??= FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var recording = new RecordingApp(app, port.Value);
        recording.Respond("/dapr/subscribe", (_, _) => (200, subscribeJson));
        app.Run(recording.HandleAsync);
        await app.StartAsync();
        return recording;
    }

    /// <summary>Scripts the answer for a path; the second argument is the 1-based attempt number for that path.</summary>
    public void Respond(string path, Func<ReceivedRequest, int, (int Status, string? Body)> responder) =>
        _responders[path] = (request, attempt) => Task.FromResult(responder(request, attempt));

    /// <summary>Scripts an answer that may wait (a slow or blocked app).</summary>
    public void RespondAsync(string path, Func<ReceivedRequest, int, Task<(int Status, string? Body)>> responder) => _responders[path] = responder;

    public int Count(string path) => Requests.Count(r => r.Path == path);

    public IReadOnlyList<ReceivedRequest> On(string path) => Requests.Where(r => r.Path == path).ToList();

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, buffer.ToArray());
        Requests.Enqueue(request);
        var attempt = _counts.AddOrUpdate(request.Path, 1, (_, n) => n + 1);
        var (status, body) = _responders.TryGetValue(request.Path, out var responder) ? await responder(request, attempt) : (200, null);
        context.Response.StatusCode = status;
        if (body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
