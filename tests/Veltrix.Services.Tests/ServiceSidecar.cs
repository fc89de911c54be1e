using Microsoft.Extensions.Configuration;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Dapr.Client;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Veltrix.Events.Publishing;
using Veltrix.Events.Routing;
using Veltrix.Hunt.Domain;
using Veltrix.Scoring.Ledger;
using Veltrix.ServiceDefaults.Telemetry;
using Veltrix.Testing;
using GrpcDapr = Dapr.Client.Autogen.Grpc.v1.Dapr;

namespace Veltrix.Services.Tests;

/// <summary>
/// Hunt's and scoring's own classes on one real dev sidecar process — the embedded defaults, in-memory `pubsub` and
/// `statestore` — routed by the repository's events/treasure-hunt.yaml. The sidecar's app is a <see cref="RecordingApp"/>
/// subscribed to `puzzle.solved` and `points.awarded`, so a test sees exactly what the sidecar delivers.
/// </summary>
internal sealed class ServiceSidecar : IAsyncDisposable
{
    public const string SolvedRoute = "/solved";
    public const string AwardedRoute = "/awarded";

    private readonly ResourcesFolder _resources;
    private readonly List<IDisposable> _owned;

    private ServiceSidecar(ResourcesFolder resources, RecordingApp app, SidecarProcess sidecar, DaprClient dapr, GrpcCallRecorder daprCalls,
        List<IDisposable> owned, AnswerChecker answers, HuntStore hunts, LedgerService ledgers)
    {
        DaprCalls = daprCalls;
        _resources = resources;
        App = app;
        Sidecar = sidecar;
        Dapr = dapr;
        _owned = owned;
        Answers = answers;
        Hunts = hunts;
        Ledgers = ledgers;
    }

    public RecordingApp App { get; }
    public SidecarProcess Sidecar { get; }
    public DaprClient Dapr { get; }

    /// <summary>
    /// The gRPC methods called through <see cref="Dapr"/> — the state calls of hunt's and scoring's classes and the test's own
    /// (their publishes go through a channel of their own).
    /// </summary>
    public GrpcCallRecorder DaprCalls { get; }
    public AnswerChecker Answers { get; }
    public HuntStore Hunts { get; }
    public LedgerService Ledgers { get; }

    /// <param name="huntCacheSize">`Veltrix:Hunt:CacheSize` of hunt's store.</param>
    public static async Task<ServiceSidecar> StartAsync(int huntCacheSize = 10_000)
    {
        var resources = new ResourcesFolder(Yaml.InMemoryPubSub("pubsub"), Yaml.InMemoryState("statestore"));
        var app = await RecordingApp.StartAsync($$"""
            [{"pubsubname":"pubsub","topic":"puzzle.solved","route":"{{SolvedRoute}}"},
             {"pubsubname":"pubsub","topic":"points.awarded","route":"{{AwardedRoute}}"}]
            """);
        var sidecar = await SidecarProcess.StartForAppAsync("hunt", app.Port, [resources.Path]);
        var stateCalls = new GrpcCallRecorder(new SocketsHttpHandler());
        var dapr = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcAddress.ToString()).UseHttpEndpoint(sidecar.BaseAddress.ToString())
            .UseGrpcChannelOptions(new GrpcChannelOptions { HttpHandler = stateCalls }).Build();

        var configuration = Veltrix.Events.Routing.ConfigurationSource.Parse("events/treasure-hunt.yaml",
            await File.ReadAllTextAsync(Path.Combine(RepositoryLayout.Root, "events", "treasure-hunt.yaml")));
        var routing = new ActiveRouting(NullLogger<ActiveRouting>.Instance);
        routing.Activate(new RoutingTable(configuration, 1));
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var channel = GrpcChannel.ForAddress(sidecar.GrpcAddress);
        var bulk = new DaprBulkPublishClient(new GrpcDapr.DaprClient(channel), apiToken: null);
        EventPublisher Publisher(string appId) => new(bulk, routing, new RoutingMetrics(meters), new EventMetrics(meters), appId);

        var settings = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Veltrix:Hunt:CacheSize"] = huntCacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .Build();
        var hunts = new HuntStore(dapr, settings);
        var answers = new AnswerChecker(hunts, dapr, Publisher("hunt"), TimeProvider.System, NullLogger<AnswerChecker>.Instance);
        var ledgers = new LedgerService(dapr, Publisher("scoring"), NullLogger<LedgerService>.Instance);
        return new ServiceSidecar(resources, app, sidecar, dapr, stateCalls, [channel, services, hunts, stateCalls], answers, hunts, ledgers);
    }

    /// <summary>The CloudEvents the sidecar delivered on a route, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Delivered(string route) =>
        App.On(route).Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();

    public async ValueTask DisposeAsync()
    {
        Dapr.Dispose();
        foreach (var owned in _owned) owned.Dispose();
        await Sidecar.DisposeAsync();
        await App.DisposeAsync();
        _resources.Dispose();
    }
}
