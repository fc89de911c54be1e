using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Veltrix.Events.Routing;
using Veltrix.Events.Subscribing;

namespace Veltrix.Events.Tests.Runtime;

/// <summary>
/// A Veltrix service in the test process on real Kestrel, shaped like every service's Program.cs — AddServiceDefaults,
/// AddEventConfiguration, MapDefaultEndpoints, MapEventSubscriptions — on a configuration given as YAML (no store).
/// </summary>
internal sealed class ConsumerApp : IAsyncDisposable
{
    private ConsumerApp(WebApplication app, HttpClient http)
    {
        App = app;
        Http = http;
    }

    public WebApplication App { get; }
    public HttpClient Http { get; }

    public static async Task<ConsumerApp> StartAsync(string appId, string yaml, Action<EventHandlers> handlers, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, int? port = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port ?? 0}");
        builder.Configuration["Events:AppId"] = appId;
        // Nobody listens here unless a test starts a sidecar and says so: the app never reaches a stray one.
        builder.Configuration["DAPR_HTTP_ENDPOINT"] = "http://127.0.0.1:1";
        builder.Configuration["DAPR_GRPC_ENDPOINT"] = "http://127.0.0.1:1";
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddEventConfiguration();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        var table = new RoutingTable(ConfigurationSource.Parse($"events/{appId}.yaml", yaml), 1);
        var routing = app.Services.GetRequiredService<ActiveRouting>();
        routing.Activate(table);
        routing.SubscribedVersions = [table];
        app.MapDefaultEndpoints();
        app.MapEventSubscriptions(handlers);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ConsumerApp(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) });
    }

    public static string CloudEvent(string id, string type, string data, string configuration = "test", int version = 1) =>
        $$"""{"specversion":"1.0","id":"{{id}}","source":"test","type":"{{type}}","datacontenttype":"application/json","veltrixconfig":"{{configuration}}","veltrixversion":{{version}},"data":{{data}}}""";

    /// <summary>A bulk delivery as daprd sends it: content type application/json, one CloudEvent per entry.</summary>
    public static string Bulk(string topic, IEnumerable<(string EntryId, string Event)> entries) =>
        $$"""{"id":"b1","pubsubname":"bus","topic":"{{topic}}","type":"com.dapr.event.sent.bulk","metadata":{},"entries":[{{string.Join(",",
            entries.Select(e => $$"""{"entryId":"{{e.EntryId}}","contentType":"application/cloudevents+json","metadata":{},"event":{{e.Event}}}"""))}}]}""";

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
