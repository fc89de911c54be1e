using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Veltrix.Testing;

namespace Veltrix.Sdk.Conformance.Tests;

/// <summary>What the echo app saw of one invocation.</summary>
public sealed record EchoReply(string Method, string Path, string Query, string Token, string ContentType, string Body, string Caller, string TraceParent, string Custom);

/// <summary>
/// The target of service invocation: answers every request with what it received (<see cref="EchoReply"/>), except
/// `/teapot`, which answers 418 with a text body, so status and body pass-through can be checked, and `/flaky`,
/// which answers 503 to its first two calls (<see cref="FlakyCalls"/> counts them).
/// </summary>
public sealed class EchoApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _flakyCalls;

    public int FlakyCalls => Volatile.Read(ref _flakyCalls);

    private EchoApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<EchoApp> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        EchoApp? echo = null;
        app.Run(async context =>
        {
            if (context.Request.Path == "/flaky")
            {
                var call = Interlocked.Increment(ref echo!._flakyCalls);
                context.Response.StatusCode = call <= 2 ? 503 : 200;
                await context.Response.WriteAsync(call <= 2 ? "not yet" : "recovered");
                return;
            }
            if (context.Request.Path == "/dapr/subscribe")
            {
                await context.Response.WriteAsJsonAsync(Array.Empty<object>()); // no subscriptions
                return;
            }
            if (context.Request.Path == "/teapot")
            {
                context.Response.StatusCode = 418;
                context.Response.Headers["x-teapot"] = "yes";
                await context.Response.WriteAsync("short and stout");
                return;
            }
            using var reader = new StreamReader(context.Request.Body);
            var headers = context.Request.Headers;
            var reply = new EchoReply(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "",
                headers["dapr-api-token"].ToString(), context.Request.ContentType ?? "", await reader.ReadToEndAsync(), headers["dapr-caller-app-id"].ToString(),
                headers["traceparent"].ToString(), headers["x-custom"].ToString());
            await context.Response.WriteAsJsonAsync(reply, JsonSerializerOptions.Web);
        });
        echo = new EchoApp(app, port);
        await app.StartAsync();
        return echo;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
