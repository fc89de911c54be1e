using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Veltrix.Testing;

namespace Veltrix.Dapr.Tests.Infrastructure;

/// <summary>A request as it reached the fake sidecar, with the raw (still escaped) target.</summary>
internal sealed record CapturedRequest(string Method, string RawTarget, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A Kestrel app standing in for the sidecar where a test needs an answer the real one cannot be made to give
/// (partial bulk failures, odd error bodies), or needs to see the exact bytes the client sent.
/// </summary>
internal sealed class FakeSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private Func<CapturedRequest, (int Status, string? ContentType, string Body)> _respond = _ => (204, null, "");

    private FakeSidecar(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    public static async Task<FakeSidecar> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSidecar(app, new Uri($"http://127.0.0.1:{port}"));
        app.Run(fake.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return fake;
    }

    public void Respond(Func<CapturedRequest, (int Status, string? ContentType, string Body)> respond) => _respond = respond;

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var request = new CapturedRequest(context.Request.Method, rawTarget,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body);
        Requests.Enqueue(request);
        var (status, contentType, responseBody) = _respond(request);
        context.Response.StatusCode = status;
        if (contentType is not null) context.Response.ContentType = contentType;
        if (responseBody.Length > 0) await context.Response.WriteAsync(responseBody);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
