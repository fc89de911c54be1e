using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Testing;

namespace Veltrix.Dapr.Tests.Infrastructure;

/// <summary>A real Kestrel app wired the way a Veltrix subscriber is: UseCloudEvents, topic endpoints, MapSubscribeHandler.</summary>
internal sealed class SubscriberApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SubscriberApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <param name="map">Maps the app's endpoints.</param>
    /// <param name="appToken">The APP_API_TOKEN the app expects; "" (default) checks nothing, independent of the environment.</param>
    public static async Task<SubscriberApp> StartAsync(Action<WebApplication> map, string appToken = "", bool mapSubscribeHandler = true)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.Configure<DaprAppTokenOptions>(o => o.AppApiToken = appToken);
        var app = builder.Build();
        app.UseCloudEvents();
        if (mapSubscribeHandler) app.MapSubscribeHandler();
        map(app);
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new SubscriberApp(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
